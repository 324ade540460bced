package io.marchproxy.dataplane.xsk;

import io.marchproxy.ffm.CallState;
import io.marchproxy.ffm.Downcalls;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The three syscalls of the packet path ({@code sendto} kick, {@code recvfrom} wake-up, {@code poll}). The kick and the
 * wake-up capture errno into a segment the caller owns (one per socket, allocated at setup), so the caller can tell
 * the kernel's "try again" from a real error without a thread-local lookup; {@code poll} reports no errno (its
 * failures are treated as "nothing ready"). {@code XskAllocationTest} checks the loops that make these calls
 * allocate nothing.
 */
final class WakeupCalls
{
    private static final MethodHandle SENDTO = Downcalls.libc("sendto",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT),
        CallState.CAPTURE_ERRNO);
    private static final MethodHandle RECVFROM = Downcalls.libc("recvfrom",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS),
        CallState.CAPTURE_ERRNO);
    private static final MethodHandle POLL = Downcalls.libc("poll",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

    private WakeupCalls()
    {
    }

    /** {@code sendto(fd, NULL, 0, flags, NULL, 0)}: -1 on failure, errno in {@code state}. */
    static long sendtoEmpty(final MemorySegment state, final int fd, final int flags)
    {
        try
        {
            return (long)SENDTO.invokeExact(state, fd, MemorySegment.NULL, 0L, flags, MemorySegment.NULL, 0);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /** {@code recvfrom(fd, NULL, 0, flags, NULL, NULL)}: -1 on failure, errno in {@code state}. */
    static long recvfromEmpty(final MemorySegment state, final int fd, final int flags)
    {
        try
        {
            return (long)RECVFROM.invokeExact(state, fd, MemorySegment.NULL, 0L, flags, MemorySegment.NULL,
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
