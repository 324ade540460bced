package io.marchproxy.ffm.libc;

import io.marchproxy.ffm.CHeader;
import io.marchproxy.ffm.CallState;
import io.marchproxy.ffm.Downcalls;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/** {@code <fcntl.h>}: opening files such as {@code /var/run/netns/NAME} for {@code setns}. */
@CHeader("fcntl.h")
public final class Fcntl
{
    /** Open for reading only. */
    public static final int O_RDONLY = 0;
    /** Close the descriptor on {@code exec}. */
    public static final int O_CLOEXEC = 0x80000;

    // open is variadic: the mode argument is the first variadic one.
    private static final MethodHandle OPEN = Downcalls.libc(
        "open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
        CallState.CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));

    private Fcntl()
    {
    }

    /** {@return the downcall handle of {@code open}} */
    public static MethodHandle open$handle()
    {
        return OPEN;
    }

    /**
     * {@code int open(const char *path, int flags, mode_t mode)}; errno captured.
     *
     * @param path the file's path, a C string
     * @param flags {@code O_*} flags
     * @param mode the permissions of a file it creates
     * @return the descriptor, or -1 with errno set
     */
    public static int open(final MemorySegment path, final int flags, final int mode)
    {
        try
        {
            return (int)OPEN.invokeExact(CallState.segment(), path, flags, mode);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }
}
