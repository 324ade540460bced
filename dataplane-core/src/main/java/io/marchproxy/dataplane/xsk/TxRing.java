package io.marchproxy.dataplane.xsk;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** The TX ring: we give the kernel descriptors of frames to transmit. Owner thread only. */
public final class TxRing extends ProducerRing
{
    /**
     * The TX ring mapped at {@code memory}, laid out as {@code descriptor} says.
     *
     * @param memory the ring's mapping
     * @param descriptor its layout
     */
    public TxRing(final MemorySegment memory, final RingDescriptor descriptor)
    {
        super(memory, descriptor, RingDescriptor.DESCRIPTOR_ENTRY_SIZE);
    }

    /**
     * Writes reserved slot {@code i} (0-based within the last reservation): frame address and length, no options.
     *
     * @param i the slot's index within the last reservation
     * @param address the frame's UMEM address
     * @param length the packet's length
     */
    public void set(final int i, final long address, final int length)
    {
        set(i, address, length, 0);
    }

    /**
     * Writes reserved slot {@code i} with an {@code options} word.
     *
     * @param i the slot's index within the last reservation
     * @param address the frame's UMEM address
     * @param length the packet's length
     * @param options the {@code options} word
     */
    public void set(final int i, final long address, final int length, final int options)
    {
        final long slot = entriesOffset + ((long)((reserved + i) & mask) << 4);
        memory.set(JAVA_LONG, slot + RingDescriptor.DESC_ADDR_OFFSET, address);
        memory.set(JAVA_INT, slot + RingDescriptor.DESC_LEN_OFFSET, length);
        memory.set(JAVA_INT, slot + RingDescriptor.DESC_OPTIONS_OFFSET, options);
    }
}
