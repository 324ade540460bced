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
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ENOTTY = 25;
    public static final int ENOSPC = 28;
    public static final int ERANGE = 34;
    public static final int ENOSYS = 38;
    public static final int ENOLINK = 67;
    public static final int ENOTSOCK = 88;
    public static final int EMSGSIZE = 90;
    public static final int ENOPROTOOPT = 92;
    public static final int EPROTONOSUPPORT = 93;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETDOWN = 100;
    public static final int ENOBUFS = 105;
    public static final int ENOTCONN = 107;
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

    /** {@code strerror}'s address, for the ABI test. */
    public static MethodHandle strerror$handle()
    {
        return STRERROR;
    }

    /** The symbol for {@code errno}, e.g. {@code "EBUSY"}, or {@code "errno N"} for one not declared here. */
    public static String name(final int errno)
    {
        final String name = errno >= 0 && errno < NAMES.length ? NAMES[errno] : null;
        return name != null ? name : "errno " + errno;
    }

    /** The C library's text for {@code errno}. */
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

    /** Returns {@code rc} unless it is negative, in which case it throws with the errno this thread captured. */
    public static int check(final int rc, final String call)
    {
        if (rc < 0)
        {
            throw new ErrnoException(call, CallState.errno());
        }
        return rc;
    }

    /** As {@link #check(int, String)} for calls returning {@code ssize_t}. */
    public static long check(final long rc, final String call)
    {
        if (rc < 0)
        {
            throw new ErrnoException(call, CallState.errno());
        }
        return rc;
    }

    /** For APIs (libbpf) that return {@code -errno} directly. */
    public static int checkNegated(final int rc, final String call)
    {
        if (rc < 0)
        {
            throw new ErrnoException(call, -rc);
        }
        return rc;
    }
}
