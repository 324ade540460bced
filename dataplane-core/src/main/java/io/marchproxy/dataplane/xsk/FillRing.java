package io.marchproxy.dataplane.xsk;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** The UMEM fill ring: we give the kernel frame addresses to receive into. Owner thread only. */
public final class FillRing extends ProducerRing
{
    /**
     * The fill ring mapped at {@code memory}, laid out as {@code descriptor} says.
     *
     * @param memory the ring's mapping
     * @param descriptor its layout
     */
    public FillRing(final MemorySegment memory, final RingDescriptor descriptor)
    {
        super(memory, descriptor, RingDescriptor.ADDRESS_ENTRY_SIZE);
    }

    /**
     * Writes the frame address of reserved slot {@code i} (0-based within the last reservation).
     *
     * @param i the slot's index within the last reservation
     * @param address the frame's UMEM address
     */
    public void set(final int i, final long address)
    {
        memory.set(JAVA_LONG, entriesOffset + ((long)((reserved + i) & mask) << 3), address);
    }
}
