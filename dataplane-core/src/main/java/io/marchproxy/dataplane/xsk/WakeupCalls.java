package io.marchproxy.dataplane.xsk;

import io.marchproxy.ffm.Downcalls;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The three syscalls of the packet path ({@code sendto} kick, {@code recvfrom} wake-up, {@code poll}), linked without
 * errno capture. A capturing downcall allocates a small object per call until the JIT has compiled its call site,
 * and a rarely taken idle branch can run interpreted at any time; these calls must not allocate, ever. Their
 * failures are counted by the caller, not classified by errno. Setup keeps using the errno-capturing bindings.
 */
final class WakeupCalls
{
    private static final MethodHandle SENDTO = Downcalls.libc("sendto",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVFROM = Downcalls.libc("recvfrom",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle POLL = Downcalls.libc("poll",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

    private WakeupCalls()
    {
    }

    /** {@code sendto(fd, NULL, 0, flags, NULL, 0)}: -1 on failure. */
    static long sendtoEmpty(final int fd, final int flags)
    {
        try
        {
            return (long)SENDTO.invokeExact(fd, MemorySegment.NULL, 0L, flags, MemorySegment.NULL, 0);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /** {@code recvfrom(fd, NULL, 0, flags, NULL, NULL)}: -1 on failure. */
    static long recvfromEmpty(final int fd, final int flags)
    {
        try
        {
            return (long)RECVFROM.invokeExact(fd, MemorySegment.NULL, 0L, flags, MemorySegment.NULL,
                MemorySegment.NULL);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /** {@code poll(fds, n, timeoutMs)}: -1 on failure. */
    static int poll(final MemorySegment fds, final long n, final int timeoutMs)
    {
        try
        {
            return (int)POLL.invokeExact(fds, n, timeoutMs);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }
}
