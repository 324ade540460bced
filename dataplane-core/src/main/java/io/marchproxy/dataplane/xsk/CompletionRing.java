package io.marchproxy.dataplane.xsk;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** The UMEM completion ring: the kernel hands back the addresses of frames it has transmitted. Owner thread only. */
public final class CompletionRing extends ConsumerRing
{
    public CompletionRing(final MemorySegment memory, final RingDescriptor descriptor)
    {
        super(memory, descriptor, RingDescriptor.ADDRESS_ENTRY_SIZE);
    }

    /** The frame address of peeked entry {@code i} (0-based within the last peek). */
    public long address(final int i)
    {
        return memory.get(JAVA_LONG, entriesOffset + ((long)((peeked + i) & mask) << 3));
    }
}
