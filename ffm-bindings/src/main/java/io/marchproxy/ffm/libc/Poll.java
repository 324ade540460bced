package io.marchproxy.ffm.libc;

import io.marchproxy.ffm.CHeader;
import io.marchproxy.ffm.CallState;
import io.marchproxy.ffm.Downcalls;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** {@code <poll.h>}: waiting for socket readiness. */
@CHeader("poll.h")
public final class Poll
{
    public static final int POLLIN = 0x1;
    public static final int POLLOUT = 0x4;
    public static final int POLLERR = 0x8;
    public static final int POLLHUP = 0x10;

    /** {@code struct pollfd}. */
    public static final StructLayout pollfd = MemoryLayout.structLayout(
        JAVA_INT.withName("fd"),
        JAVA_SHORT.withName("events"),
        JAVA_SHORT.withName("revents")).withName("struct pollfd");

    public static final long pollfd_fd = pollfd.byteOffset(MemoryLayout.PathElement.groupElement("fd"));
    public static final long pollfd_events = pollfd.byteOffset(MemoryLayout.PathElement.groupElement("events"));
    public static final long pollfd_revents = pollfd.byteOffset(MemoryLayout.PathElement.groupElement("revents"));

    private static final MethodHandle POLL = Downcalls.libcErrno(
        "poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

    private Poll()
    {
    }

    public static MethodHandle poll$handle()
    {
        return POLL;
    }

    /** {@code int poll(struct pollfd *fds, nfds_t n, int timeout_ms)}; errno captured. */
    public static int poll(final MemorySegment fds, final long n, final int timeoutMs)
    {
        try
        {
            return (int)POLL.invokeExact(CallState.segment(), fds, n, timeoutMs);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }
}
