package io.marchproxy.dataplane.xsk;

import io.marchproxy.ffm.linux.IfXdp;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Layout arithmetic of one AF_XDP ring, in one place: where the producer, consumer and flags words and the entry
 * array sit in the ring's mapping, how big the mapping is, and the entry size and index mask. The kernel reports the
 * offsets (getsockopt {@code XDP_MMAP_OFFSETS}); {@link #standalone(int, int)} lays a ring out the same way in plain
 * memory, for benchmarks and tests that play the kernel's side.
 *
 * @param producerOffset byte offset of the 32-bit producer index
 * @param consumerOffset byte offset of the 32-bit consumer index
 * @param flagsOffset    byte offset of the 32-bit flags word ({@code XDP_RING_NEED_WAKEUP})
 * @param entriesOffset  byte offset of entry 0
 * @param capacity       number of entries, a power of two
 * @param entrySize      {@link #ADDRESS_ENTRY_SIZE} (fill, completion) or {@link #DESCRIPTOR_ENTRY_SIZE} (RX, TX)
 */
public record RingDescriptor(
    long producerOffset, long consumerOffset, long flagsOffset, long entriesOffset, int capacity, int entrySize)
{
    /** A fill or completion entry: one {@code __u64} UMEM address. */
    public static final int ADDRESS_ENTRY_SIZE = 8;
    /** An RX or TX entry: {@code struct xdp_desc}. */
    public static final int DESCRIPTOR_ENTRY_SIZE = (int)IfXdp.xdp_desc.byteSize();
    /** Offset of {@code addr} in an RX/TX entry. */
    public static final long DESC_ADDR_OFFSET = IfXdp.xdp_desc_addr;
    /** Offset of {@code len} in an RX/TX entry. */
    public static final long DESC_LEN_OFFSET = IfXdp.xdp_desc_len;
    /** Offset of {@code options} in an RX/TX entry. */
    public static final long DESC_OPTIONS_OFFSET = IfXdp.xdp_desc_options;
    /** The index words sit on their own cache lines, as the kernel lays them out. */
    public static final int CACHE_LINE = 64;

    /**
     * Checks the capacity.
     *
     * @throws IllegalArgumentException when the capacity is not a power of two the kernel accepts
     */
    public RingDescriptor
    {
        checkCapacity(capacity);
        if (entrySize != ADDRESS_ENTRY_SIZE && entrySize != DESCRIPTOR_ENTRY_SIZE)
        {
            throw new IllegalArgumentException("entry size must be 8 or 16: " + entrySize);
        }
        if ((producerOffset | consumerOffset | flagsOffset) % Integer.BYTES != 0 || entriesOffset % Long.BYTES != 0)
        {
            throw new IllegalArgumentException("misaligned ring offsets: " + producerOffset + "/" + consumerOffset +
                "/" + flagsOffset + "/" + entriesOffset);
        }
    }

    /**
     * Throws unless {@code capacity} is a power of two the kernel accepts (1..2^31).
     *
     * @param capacity entries of the ring
     * @throws IllegalArgumentException naming the value
     */
    public static void checkCapacity(final int capacity)
    {
        if (capacity <= 0 || Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("ring capacity must be a positive power of two: " + capacity);
        }
    }

    /**
     * The descriptor of one ring from a {@code struct xdp_ring_offset} (as returned inside
     * {@code struct xdp_mmap_offsets}) at {@code offset} in {@code mmapOffsets}.
     *
     * @param mmapOffsets the kernel's {@code struct xdp_mmap_offsets}
     * @param offset where the ring's {@code struct xdp_ring_offset} is in it
     * @param capacity entries of the ring
     * @param entrySize {@link #ADDRESS_ENTRY_SIZE} or {@link #DESCRIPTOR_ENTRY_SIZE}
     * @return the descriptor
     */
    public static RingDescriptor fromKernel(
        final MemorySegment mmapOffsets, final long offset, final int capacity, final int entrySize)
    {
        return new RingDescriptor(
            mmapOffsets.get(JAVA_LONG, offset + IfXdp.xdp_ring_offset_producer),
            mmapOffsets.get(JAVA_LONG, offset + IfXdp.xdp_ring_offset_consumer),
            mmapOffsets.get(JAVA_LONG, offset + IfXdp.xdp_ring_offset_flags),
            mmapOffsets.get(JAVA_LONG, offset + IfXdp.xdp_ring_offset_desc),
            capacity,
            entrySize);
    }

    /**
     * {@return the kernel's layout (producer, consumer, flags each on a cache line, then the entries) in plain memory}
     *
     * @param capacity entries of the ring
     * @param entrySize {@link #ADDRESS_ENTRY_SIZE} or {@link #DESCRIPTOR_ENTRY_SIZE}
     */
    public static RingDescriptor standalone(final int capacity, final int entrySize)
    {
        return new RingDescriptor(0, CACHE_LINE, 2L * CACHE_LINE, 3L * CACHE_LINE, capacity, entrySize);
    }

    /** {@return bytes to map (or allocate) for the ring: up to the end of the last entry} */
    public long mappedLength()
    {
        return entriesOffset + (long)capacity * entrySize;
    }

    /** {@return {@code capacity - 1}: a free-running 32-bit index masked with it gives the slot} */
    public int mask()
    {
        return capacity - 1;
    }

    /**
     * {@return byte offset of the entry for the free-running index {@code index}}
     *
     * @param index a free-running producer or consumer index
     */
    public long entryOffset(final int index)
    {
        return entriesOffset + (long)(index & (capacity - 1)) * entrySize;
    }
}
