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
    /** There is data to read. */
    public static final int POLLIN = 0x1;
    /** Writing is possible. */
    public static final int POLLOUT = 0x4;
    /** An error condition (returned only). */
    public static final int POLLERR = 0x8;
    /** Hang-up (returned only). */
    public static final int POLLHUP = 0x10;

    /** {@code struct pollfd}. */
    public static final StructLayout pollfd = MemoryLayout.structLayout(
        JAVA_INT.withName("fd"),
        JAVA_SHORT.withName("events"),
        JAVA_SHORT.withName("revents")).withName("struct pollfd");

    /** Offset of {@code fd} in {@link #pollfd}. */
    public static final long pollfd_fd = pollfd.byteOffset(MemoryLayout.PathElement.groupElement("fd"));
    /** Offset of {@code events} (what to wait for) in {@link #pollfd}. */
    public static final long pollfd_events = pollfd.byteOffset(MemoryLayout.PathElement.groupElement("events"));
    /** Offset of {@code revents} (what happened) in {@link #pollfd}. */
    public static final long pollfd_revents = pollfd.byteOffset(MemoryLayout.PathElement.groupElement("revents"));

    private static final MethodHandle POLL = Downcalls.libcErrno(
        "poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

    private Poll()
    {
    }

    /** {@return the downcall handle of {@code poll}} */
    public static MethodHandle poll$handle()
    {
        return POLL;
    }

    /**
     * {@code int poll(struct pollfd *fds, nfds_t n, int timeout_ms)}; errno captured.
     *
     * @param fds an array of {@link #pollfd}
     * @param n how many
     * @param timeoutMs how long to wait, -1 for ever
     * @return the number of descriptors with events, 0 on timeout, or -1 with errno set
     */
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
