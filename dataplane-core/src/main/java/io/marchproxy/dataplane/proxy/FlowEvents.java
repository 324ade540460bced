package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.conntrack.FlowTable;
import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.packet.DropReason;

/**
 * What the proxy tells about flows as they open and close, and samples of its drops: the feed of a flow journal.
 * Called on the dataplane thread, in the middle of the per-packet path: an implementation must return at once, never
 * block, never allocate and never throw (a journal hands the event to a ring and counts it as dropped when the ring is
 * full). The table and handle are valid only during the call; times are the dataplane's {@link System#nanoTime()}
 * clock of the turn.
 */
public interface FlowEvents
{
    /** Tells nothing; the proxy then keeps no opening times either. */
    FlowEvents NONE = new FlowEvents()
    {
        @Override
        public void opened(final FlowTable table, final int handle, final long nanoTime)
        {
        }

        @Override
        public void closed(final FlowTable table, final int handle, final long openedNanos, final long nanoTime)
        {
        }

        @Override
        public void dropped(
            final DropReason reason, final long count, final FlowTuple tuple, final int service, final long nanoTime)
        {
        }

        @Override
        public long dropSampleIntervalNanos()
        {
            return Long.MAX_VALUE;
        }
    };

    /**
     * A flow opened: {@code table.key(handle, 0, ...)} is client -> VIP, {@code table.key(handle, 1, ...)} backend ->
     * SNAT address and port; service and backend indexes are the table's.
     *
     * @param table    the flow table holding the flow
     * @param handle   the flow's handle in {@code table}
     * @param nanoTime now ({@link System#nanoTime()})
     */
    void opened(FlowTable table, int handle, long nanoTime);

    /**
     * A flow is closing (evicted after its idle timeout; a TCP flow closes that way some time after its FIN or RST):
     * its packet and byte counters and last-seen time are final.
     *
     * @param table       the flow table holding the flow
     * @param handle      the flow's handle in {@code table}
     * @param openedNanos when it opened ({@link System#nanoTime()})
     * @param nanoTime    now
     */
    void closed(FlowTable table, int handle, long openedNanos, long nanoTime);

    /**
     * A sample of the drops of {@code reason}: {@code count} frames were dropped for it since the previous sample, the
     * last of them now. {@code tuple} is that frame's 5-tuple when it was parsed that far, else null; {@code service}
     * its service index, or -1 when none was found.
     *
     * @param reason   why the frames were dropped
     * @param count    frames dropped for it since the previous sample
     * @param tuple    the last dropped frame's 5-tuple, or null
     * @param service  the last dropped frame's service index, or -1
     * @param nanoTime now ({@link System#nanoTime()})
     */
    void dropped(DropReason reason, long count, FlowTuple tuple, int service, long nanoTime);

    /**
     * {@return at most one {@link #dropped} call per reason per this many nanoseconds} The drops in between are counted
     * into the next sample.
     */
    long dropSampleIntervalNanos();
}
