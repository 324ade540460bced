package io.marchproxy.dataplane.net;

import java.util.Arrays;

/**
 * A fixed-capacity open-addressing hash index from a {@code long} key to a non-negative {@code int}: the one-word
 * sibling of {@link KeyIndex}, for keys that fit 64 bits (an IPv4 address with a protocol and a port, say), so a
 * lookup hashes one word and compares one. Linear probing over primitive arrays, load factor at most one half, hashed
 * by {@link TupleHash#mix}: no boxing, no allocation on {@link #get}. Built once and only read afterwards, so a built
 * index can be read from any thread once it is safely published; {@link #put} belongs to the builder.
 */
public final class LongKeyIndex
{
    /** What {@link #get} returns for an absent key. */
    public static final int ABSENT = -1;

    private final int mask;
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
        int slot = (int)TupleHash.mix(key) & mask;
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
        int slot = (int)TupleHash.mix(key) & mask;
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

    /** {@return keys in the index} */
    public int size()
    {
        return size;
    }
}
