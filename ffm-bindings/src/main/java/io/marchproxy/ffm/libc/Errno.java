package io.marchproxy.ffm.libc;

import io.marchproxy.ffm.CHeader;
import io.marchproxy.ffm.CallState;
import io.marchproxy.ffm.Downcalls;
import io.marchproxy.ffm.ErrnoException;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/** {@code <errno.h>} values (Linux) and {@code strerror} from {@code <string.h>}, with the checks bindings use. */
@CHeader({"errno.h", "string.h"})
public final class Errno
{
    /** {@code EPERM}: Operation not permitted. */
    public static final int EPERM = 1;
    /** {@code ENOENT}: No such file or directory. */
    public static final int ENOENT = 2;
    /** {@code ESRCH}: No such process. */
    public static final int ESRCH = 3;
    /** {@code EINTR}: Interrupted system call. */
    public static final int EINTR = 4;
    /** {@code EIO}: Input/output error. */
    public static final int EIO = 5;
    /** {@code ENXIO}: No such device or address. */
    public static final int ENXIO = 6;
    /** {@code E2BIG}: Argument list too long. */
    public static final int E2BIG = 7;
    /** {@code EBADF}: Bad file descriptor. */
    public static final int EBADF = 9;
    /** {@code EAGAIN}: Resource temporarily unavailable. */
    public static final int EAGAIN = 11;
    /** {@code ENOMEM}: Cannot allocate memory. */
    public static final int ENOMEM = 12;
    /** {@code EACCES}: Permission denied. */
    public static final int EACCES = 13;
    /** {@code EFAULT}: Bad address. */
    public static final int EFAULT = 14;
    /** {@code EBUSY}: Device or resource busy. */
    public static final int EBUSY = 16;
    /** {@code EEXIST}: File exists. */
    public static final int EEXIST = 17;
    /** {@code ENODEV}: No such device. */
    public static final int ENODEV = 19;
    /** {@code EINVAL}: Invalid argument. */
    public static final int EINVAL = 22;
    /** {@code ENFILE}: Too many open files in system. */
    public static final int ENFILE = 23;
    /** {@code EMFILE}: Too many open files. */
    public static final int EMFILE = 24;
    /** {@code ENOTTY}: Inappropriate ioctl for device. */
    public static final int ENOTTY = 25;
    /** {@code ENOSPC}: No space left on device. */
    public static final int ENOSPC = 28;
    /** {@code ERANGE}: Numerical result out of range. */
    public static final int ERANGE = 34;
    /** {@code ENOSYS}: Function not implemented. */
    public static final int ENOSYS = 38;
    /** {@code ENOLINK}: Link has been severed. */
    public static final int ENOLINK = 67;
    /** {@code ENOTSOCK}: Socket operation on non-socket. */
    public static final int ENOTSOCK = 88;
    /** {@code EMSGSIZE}: Message too long. */
    public static final int EMSGSIZE = 90;
    /** {@code ENOPROTOOPT}: Protocol not available. */
    public static final int ENOPROTOOPT = 92;
    /** {@code EPROTONOSUPPORT}: Protocol not supported. */
    public static final int EPROTONOSUPPORT = 93;
    /** {@code EOPNOTSUPP}: Operation not supported. */
    public static final int EOPNOTSUPP = 95;
    /** {@code EAFNOSUPPORT}: Address family not supported by protocol. */
    public static final int EAFNOSUPPORT = 97;
    /** {@code EADDRINUSE}: Address already in use. */
    public static final int EADDRINUSE = 98;
    /** {@code EADDRNOTAVAIL}: Cannot assign requested address. */
    public static final int EADDRNOTAVAIL = 99;
    /** {@code ENETDOWN}: Network is down. */
    public static final int ENETDOWN = 100;
    /** {@code ENOBUFS}: No buffer space available. */
    public static final int ENOBUFS = 105;
    /** {@code ENOTCONN}: Transport endpoint is not connected. */
    public static final int ENOTCONN = 107;
    /** {@code ETIMEDOUT}: Connection timed out. */
    public static final int ETIMEDOUT = 110;

    private static final String[] NAMES = new String[256];

    static
    {
        for (final Field f : Errno.class.getFields())
        {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class)
            {
                try
                {
                    NAMES[f.getInt(null)] = f.getName();
                }
                catch (final IllegalAccessException ex)
                {
                    throw new ExceptionInInitializerError(ex);
                }
            }
        }
    }

    private static final MethodHandle STRERROR = Downcalls.libc("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Errno()
    {
    }

    /**
     * {@code strerror}'s address, for the ABI test.
     *
     * @return the downcall handle of {@code char *strerror(int errnum)}
     */
    public static MethodHandle strerror$handle()
    {
        return STRERROR;
    }

    /**
     * The symbol for {@code errno}, e.g. {@code "EBUSY"}, or {@code "errno N"} for one not declared here.
     *
     * @param errno an errno value
     * @return its symbol
     */
    public static String name(final int errno)
    {
        final String name = errno >= 0 && errno < NAMES.length ? NAMES[errno] : null;
        return name != null ? name : "errno " + errno;
    }

    /**
     * The C library's text for {@code errno}.
     *
     * @param errno an errno value
     * @return its text, e.g. {@code "Device or resource busy"}
     */
    @SuppressWarnings("restricted") // strerror returns a NUL-terminated string in static storage
    public static String describe(final int errno)
    {
        try
        {
            final MemorySegment text = (MemorySegment)STRERROR.invokeExact(errno);
            return text.reinterpret(1024).getString(0);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * Returns {@code rc} unless it is negative, in which case it throws with the errno this thread captured.
     *
     * @param rc what the call returned
     * @param call the call, for the message (with the detail that tells it apart)
     * @return {@code rc}
     * @throws ErrnoException when {@code rc} is negative
     */
    public static int check(final int rc, final String call)
    {
        if (rc < 0)
        {
            throw new ErrnoException(call, CallState.errno());
        }
        return rc;
    }

    /**
     * As {@link #check(int, String)} for calls returning {@code ssize_t}.
     *
     * @param rc what the call returned
     * @param call the call, for the message
     * @return {@code rc}
     * @throws ErrnoException when {@code rc} is negative
     */
    public static long check(final long rc, final String call)
    {
        if (rc < 0)
        {
            throw new ErrnoException(call, CallState.errno());
        }
        return rc;
    }

    /**
     * For APIs (libbpf) that return {@code -errno} directly.
     *
     * @param rc what the call returned: a negative errno on failure
     * @param call the call, for the message
     * @return {@code rc}
     * @throws ErrnoException when {@code rc} is negative
     */
    public static int checkNegated(final int rc, final String call)
    {
        if (rc < 0)
        {
            throw new ErrnoException(call, -rc);
        }
        return rc;
    }
}
