package io.marchproxy.dataplane.xsk;

import io.marchproxy.ffm.linux.IfXdp;

import java.lang.foreign.MemorySegment;

/**
 * A ring this process produces into and the kernel consumes from (fill, TX). The producer index is ours: we keep
 * it and a cached copy of the kernel's consumer index in fields, read the consumer word with acquire semantics only
 * when the cached view shows too little room, and publish the producer word with release semantics on
 * {@link #submit()}. All methods are for the one thread that owns the ring; none allocates or throws.
 */
public abstract sealed class ProducerRing extends XskRing permits FillRing, TxRing
{
    int reserved;

    ProducerRing(final MemorySegment memory, final RingDescriptor descriptor, final int entrySize)
    {
        super(memory, descriptor, entrySize);
    }

    /**
     * Reserves up to {@code count} slots and returns how many it got (0 when the ring is full). The slots are
     * addressed 0..n-1 by the subclass's setters until the next reserve; they reach the kernel on {@link #submit()}.
     *
     * @param count the most slots wanted
     * @return how many were reserved
     */
    public final int reserve(final int count)
    {
        int free = capacity - (cachedProducer - cachedConsumer);
        if (free < count)
        {
            cachedConsumer = (int)INDEX.getAcquire(memory, consumerOffset);
            free = capacity - (cachedProducer - cachedConsumer);
        }
        final int n = Math.min(count, free);
        reserved = cachedProducer;
        cachedProducer += n;
        return n;
    }

    /**
     * How many of {@code count} slots a {@link #reserve} would get now, without reserving them; reads the kernel's
     * consumer word only when the cached view shows too little room.
     *
     * @param count the most slots wanted
     * @return how many a reserve would get
     */
    public final int room(final int count)
    {
        int free = capacity - (cachedProducer - cachedConsumer);
        if (free < count)
        {
            cachedConsumer = (int)INDEX.getAcquire(memory, consumerOffset);
            free = capacity - (cachedProducer - cachedConsumer);
        }
        return Math.min(count, free);
    }

    /**
     * Gives back the last {@code count} reserved slots, not yet submitted, unused.
     *
     * @param count how many to give back, at most the reserved ones
     */
    public final void cancel(final int count)
    {
        cachedProducer -= count;
    }

    /** Publishes every reserved slot to the kernel (release store of the producer index). */
    public final void submit()
    {
        INDEX.setRelease(memory, producerOffset, cachedProducer);
    }

    /**
     * Whether the kernel asked to be woken up ({@code XDP_RING_NEED_WAKEUP}, with {@code XDP_USE_NEED_WAKEUP} bound):
     * for the fill ring by {@code poll}/{@code recvfrom}, for the TX ring by a {@code sendto} kick.
     *
     * @return true when the kernel needs a wake-up to process this ring
     */
    public final boolean needsWakeup()
    {
        return ((int)INDEX.getOpaque(memory, flagsOffset) & IfXdp.XDP_RING_NEED_WAKEUP) != 0;
    }

    /**
     * {@return entries submitted or reserved that the kernel has not consumed yet, as last seen (refreshes the view)}
     */
    public final int outstanding()
    {
        cachedConsumer = (int)INDEX.getAcquire(memory, consumerOffset);
        return cachedProducer - cachedConsumer;
    }

    /** {@return the free-running producer index as this side sees it (including reserved, unsubmitted slots)} */
    public final int producerIndex()
    {
        return cachedProducer;
    }
}
