package io.marchproxy.ffm.libc;

import io.marchproxy.ffm.CHeader;
import io.marchproxy.ffm.CallState;
import io.marchproxy.ffm.Downcalls;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** {@code <unistd.h>} (with {@code _GNU_SOURCE}): closing descriptors, the page size, the calling thread's id. */
@CHeader("unistd.h")
public final class Unistd
{
    private static final MethodHandle CLOSE = Downcalls.libcErrno("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GETPAGESIZE = Downcalls.libc("getpagesize", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETTID = Downcalls.libc("gettid", FunctionDescriptor.of(JAVA_INT));

    private Unistd()
    {
    }

    /** {@return the downcall handle of {@code close}} */
    public static MethodHandle close$handle()
    {
        return CLOSE;
    }

    /** {@return the downcall handle of {@code getpagesize}} */
    public static MethodHandle getpagesize$handle()
    {
        return GETPAGESIZE;
    }

    /** {@return the downcall handle of {@code gettid}} */
    public static MethodHandle gettid$handle()
    {
        return GETTID;
    }

    /**
     * {@code int close(int fd)}; errno captured.
     *
     * @param fd the descriptor
     * @return 0, or -1 with errno set
     */
    public static int close(final int fd)
    {
        try
        {
            return (int)CLOSE.invokeExact(CallState.segment(), fd);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /** {@return the page size in bytes} {@code int getpagesize(void)}. */
    public static int getpagesize()
    {
        try
        {
            return (int)GETPAGESIZE.invokeExact();
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code pid_t gettid(void)} (glibc 2.30+): the kernel's id of the calling thread, as in {@code /proc/<pid>/task/}.
     * Never fails.
     *
     * @return the calling thread's id
     */
    public static int gettid()
    {
        try
        {
            return (int)GETTID.invokeExact();
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }
}
