package io.marchproxy.dataplane.xsk;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The RX ring: the kernel hands us descriptors ({@code struct xdp_desc}) of received frames. Owner thread only.
 */
public final class RxRing extends ConsumerRing
{
    /**
     * The RX ring mapped at {@code memory}, laid out as {@code descriptor} says.
     *
     * @param memory the ring's mapping
     * @param descriptor its layout
     */
    public RxRing(final MemorySegment memory, final RingDescriptor descriptor)
    {
        super(memory, descriptor, RingDescriptor.DESCRIPTOR_ENTRY_SIZE);
    }

    /**
     * {@return UMEM address of the first byte of peeked entry {@code i}'s packet (0-based within the last peek)}
     *
     * @param i the entry's index within the last peek
     */
    public long address(final int i)
    {
        return memory.get(JAVA_LONG, slot(i) + RingDescriptor.DESC_ADDR_OFFSET);
    }

    /**
     * {@return length in bytes of peeked entry {@code i}'s packet}
     *
     * @param i the entry's index within the last peek
     */
    public int length(final int i)
    {
        return memory.get(JAVA_INT, slot(i) + RingDescriptor.DESC_LEN_OFFSET);
    }

    /**
     * {@return the {@code options} word of peeked entry {@code i} ({@code XDP_PKT_CONTD} for multi-buffer frames)}
     *
     * @param i the entry's index within the last peek
     */
    public int options(final int i)
    {
        return memory.get(JAVA_INT, slot(i) + RingDescriptor.DESC_OPTIONS_OFFSET);
    }

    private long slot(final int i)
    {
        return entriesOffset + ((long)((peeked + i) & mask) << 4);
    }
}
