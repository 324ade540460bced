package io.marchproxy.dataplane.xsk;

import java.lang.foreign.MemorySegment;

/**
 * A ring the kernel produces into and this process consumes from (RX, completion). We keep the consumer index and a
 * cached copy of the kernel's producer index; the producer word is read with acquire semantics only when the cached
 * view is empty, and the consumer word is published with release semantics on {@link #release()}. All methods are
 * for the one thread that owns the ring; none allocates or throws.
 */
public abstract sealed class ConsumerRing extends XskRing permits RxRing, CompletionRing
{
    int peeked;

    ConsumerRing(final MemorySegment memory, final RingDescriptor descriptor, final int entrySize)
    {
        super(memory, descriptor, entrySize);
    }

    /**
     * Takes up to {@code max} entries and returns how many (0 when the ring is empty). They are addressed 0..n-1 by
     * the subclass's getters until the next peek, and stay the process's until {@link #release()} hands their slots
     * back to the kernel.
     *
     * @param max the most entries to take
     * @return how many were taken
     */
    public final int peek(final int max)
    {
        int available = cachedProducer - cachedConsumer;
        if (available == 0)
        {
            cachedProducer = (int)INDEX.getAcquire(memory, producerOffset);
            available = cachedProducer - cachedConsumer;
        }
        final int n = Math.min(max, available);
        peeked = cachedConsumer;
        cachedConsumer += n;
        return n;
    }

    /**
     * Puts the last {@code count} peeked, unreleased entries back so the next peek returns them again.
     *
     * @param count how many to put back, at most the unreleased ones
     */
    public final void cancel(final int count)
    {
        cachedConsumer -= count;
    }

    /** Hands the slots of every peeked entry back to the kernel (release store of the consumer index). */
    public final void release()
    {
        INDEX.setRelease(memory, consumerOffset, cachedConsumer);
    }

    /**
     * {@return entries the kernel has produced and we have not peeked yet (refreshes the view of the producer index)}
     */
    public final int available()
    {
        cachedProducer = (int)INDEX.getAcquire(memory, producerOffset);
        return cachedProducer - cachedConsumer;
    }

    /** {@return the free-running consumer index as this side sees it (including peeked, unreleased entries)} */
    public final int consumerIndex()
    {
        return cachedConsumer;
    }
}
