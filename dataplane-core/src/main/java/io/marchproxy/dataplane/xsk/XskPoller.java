package io.marchproxy.dataplane.xsk;

import io.marchproxy.ffm.libc.Poll;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Waits for any of several sockets to have frames ({@code POLLIN}), as an idle strategy of an agent that serves more
 * than one socket does; the {@code poll} is also what wakes the kernel's RX under need-wakeup. One pollfd array, made
 * once: {@link #poll} allocates nothing. For the one thread that owns the sockets.
 */
public final class XskPoller
{
    private final MemorySegment fds;
    private final int count;

    /**
     * A poller over {@code sockets}, waiting for {@code POLLIN} on each.
     *
     * @param sockets the sockets, owned by the calling thread
     */
    public XskPoller(final XskSocket... sockets)
    {
        count = sockets.length;
        fds = Arena.ofAuto().allocate(Poll.pollfd, count);
        for (int i = 0; i < count; i++)
        {
            final long at = i * Poll.pollfd.byteSize();
            fds.set(JAVA_INT, at + Poll.pollfd_fd, sockets[i].fd());
            fds.set(JAVA_SHORT, at + Poll.pollfd_events, (short)Poll.POLLIN);
        }
    }

    /**
     * Waits up to {@code timeoutMs}; returns how many sockets are ready (0 on timeout or interruption).
     *
     * @param timeoutMs how long to wait
     * @return how many sockets are ready
     */
    public int poll(final int timeoutMs)
    {
        for (int i = 0; i < count; i++)
        {
            fds.set(JAVA_SHORT, i * Poll.pollfd.byteSize() + Poll.pollfd_revents, (short)0);
        }
        final int rc = WakeupCalls.poll(fds, count, timeoutMs);
        return Math.max(rc, 0);
    }
}
