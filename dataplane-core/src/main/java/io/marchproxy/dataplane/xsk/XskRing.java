package io.marchproxy.dataplane.xsk;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * What the four rings share: the ring memory, the offsets of its index words and entries from its
 * {@link RingDescriptor}, and the cached copies of both indices. The subclasses say which index is ours.
 */
public abstract sealed class XskRing permits ProducerRing, ConsumerRing
{
    /** Acquire/release access to the 32-bit index words. */
    static final VarHandle INDEX = ValueLayout.JAVA_INT.varHandle();

    final MemorySegment memory;
    final long producerOffset;
    final long consumerOffset;
    final long flagsOffset;
    final long entriesOffset;
    final int capacity;
    final int mask;

    int cachedProducer;
    int cachedConsumer;

    XskRing(final MemorySegment memory, final RingDescriptor descriptor, final int entrySize)
    {
        Objects.requireNonNull(memory, "memory");
        if (descriptor.entrySize() != entrySize)
        {
            throw new IllegalArgumentException(
                "entry size " + descriptor.entrySize() + " where " + entrySize + " is expected");
        }
        if (memory.byteSize() < descriptor.mappedLength())
        {
            throw new IllegalArgumentException(
                "ring memory of " + memory.byteSize() + " bytes < " + descriptor.mappedLength() + " needed");
        }
        this.memory = memory;
        this.producerOffset = descriptor.producerOffset();
        this.consumerOffset = descriptor.consumerOffset();
        this.flagsOffset = descriptor.flagsOffset();
        this.entriesOffset = descriptor.entriesOffset();
        this.capacity = descriptor.capacity();
        this.mask = descriptor.mask();
        this.cachedProducer = (int)INDEX.getAcquire(memory, producerOffset);
        this.cachedConsumer = (int)INDEX.getAcquire(memory, consumerOffset);
    }

    /** {@return number of entries, a power of two} */
    public final int capacity()
    {
        return capacity;
    }
}
