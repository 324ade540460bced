package io.marchproxy.dataplane.xsk;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** The UMEM completion ring: the kernel hands back the addresses of frames it has transmitted. Owner thread only. */
public final class CompletionRing extends ConsumerRing
{
    /**
     * The completion ring mapped at {@code memory}, laid out as {@code descriptor} says.
     *
     * @param memory the ring's mapping
     * @param descriptor its layout
     */
    public CompletionRing(final MemorySegment memory, final RingDescriptor descriptor)
    {
        super(memory, descriptor, RingDescriptor.ADDRESS_ENTRY_SIZE);
    }

    /**
     * {@return the frame address of peeked entry {@code i} (0-based within the last peek)}
     *
     * @param i the entry's index within the last peek
     */
    public long address(final int i)
    {
        return memory.get(JAVA_LONG, entriesOffset + ((long)((peeked + i) & mask) << 3));
    }
}
