package io.marchproxy.dataplane.xsk;

/**
 * The UMEM frames this process holds: a stack of frame addresses in a preallocated {@code long[]}, so that taking and
 * returning a frame neither locks nor allocates. Not thread-safe by design: the one thread that drives the sockets of
 * a UMEM owns its pool (single-writer principle); hand frames between threads through a queue instead.
 */
public final class FramePool
{
    /** What {@link #acquire()} returns when the pool is empty; never a valid frame address. */
    public static final long NO_FRAME = -1L;

    private final long[] addresses;
    private int size;

    /**
     * An empty pool that can hold {@code capacity} frames.
     *
     * @param capacity the most frames it holds
     */
    public FramePool(final int capacity)
    {
        if (capacity <= 0)
        {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.addresses = new long[capacity];
    }

    /**
     * Takes a frame address, or returns {@link #NO_FRAME} when none is left.
     *
     * @return a frame's UMEM address, or {@link #NO_FRAME}
     */
    public long acquire()
    {
        return size == 0 ? NO_FRAME : addresses[--size];
    }

    /**
     * Returns a frame; false (and the frame is not taken) when the pool is already full, which means a double
     * release.
     *
     * @param address the frame's UMEM address
     * @return true when the frame was taken back
     */
    public boolean release(final long address)
    {
        if (size == addresses.length)
        {
            return false;
        }
        addresses[size++] = address;
        return true;
    }

    /** {@return frames in the pool} */
    public int available()
    {
        return size;
    }

    /** {@return frames the pool can hold} */
    public int capacity()
    {
        return addresses.length;
    }
}
