package io.marchproxy.dataplane.net;

import java.util.Arrays;

/**
 * A fixed-capacity open-addressing hash index from a {@code long} key to a non-negative {@code int}: the one-word
 * sibling of {@link KeyIndex}, for keys that fit 64 bits (an IPv4 address with a protocol and a port, say), so a
 * lookup hashes one word and compares one. Linear probing over primitive arrays, load factor at most one half, the home
 * slot by Fibonacci hashing (one multiplication): no boxing, no allocation on {@link #get}. Built once and only read
 * afterwards, so a built index can be read from any thread once it is safely published; {@link #put} belongs to the
 * builder.
 */
public final class LongKeyIndex
{
    /** What {@link #get} returns for an absent key. */
    public static final int ABSENT = -1;

    /** Fibonacci hashing's multiplier: 2^64 over the golden ratio, odd. */
    private static final long GOLDEN = 0x9E37_79B9_7F4A_7C15L;

    private final int mask;
    private final int shift;
    private final long[] keys;
    private final int[] values;
    private int size;

    /**
     * An empty index for up to {@code capacity} keys.
     *
     * @param capacity the most keys it holds
     */
    public LongKeyIndex(final int capacity)
    {
        if (capacity < 0 || capacity > (1 << 29))
        {
            throw new IllegalArgumentException("capacity out of range: " + capacity);
        }
        final int slots = Math.max(2, Integer.highestOneBit(Math.max(1, capacity) * 2 - 1) << 1);
        this.mask = slots - 1;
        this.shift = Long.SIZE - Integer.numberOfTrailingZeros(slots);
        this.keys = new long[slots];
        this.values = new int[slots];
        Arrays.fill(values, ABSENT);
    }

    /**
     * Maps {@code key} to {@code value} ({@code >= 0}). Returns false, and changes nothing, when the key is already
     * there or the index holds its capacity.
     *
     * @param key the key
     * @param value the value, {@code >= 0}
     * @return false when the key is there already or the index is full
     */
    public boolean put(final long key, final int value)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException("values are >= 0: " + value);
        }
        int slot = home(key);
        while (values[slot] != ABSENT)
        {
            if (keys[slot] == key)
            {
                return false;
            }
            slot = (slot + 1) & mask;
        }
        if (size * 2 >= values.length)
        {
            return false;
        }
        keys[slot] = key;
        values[slot] = value;
        size++;
        return true;
    }

    /**
     * {@return the value of {@code key}, or {@link #ABSENT}} Allocation-free.
     *
     * @param key the key
     */
    public int get(final long key)
    {
        int slot = home(key);
        while (true)
        {
            final int value = values[slot];
            if (value == ABSENT || keys[slot] == key)
            {
                return value;
            }
            slot = (slot + 1) & mask;
        }
    }

    /**
     * The home slot of {@code key}: Fibonacci hashing, the high bits of the key times 2^64 over the golden ratio, one
     * multiplication (the high bits of a product depend on every bit of the key).
     */
    private int home(final long key)
    {
        return (int)((key * GOLDEN) >>> shift);
    }

    /** {@return keys in the index} */
    public int size()
    {
        return size;
    }
}
