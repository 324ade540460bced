package io.marchproxy.dataplane.net;

import java.util.Arrays;

/**
 * A fixed-capacity open-addressing hash index from a key of three {@code long}s (an address as two words and a word
 * of whatever else the key holds: family, protocol, port, service, prefix length) to a non-negative {@code int}.
 * Linear probing over primitive arrays, load factor at most one half, hashed by {@link TupleHash}: no boxing, no
 * allocation on {@link #get}. Tables build one while they are built and only read it afterwards, so a built table
 * can be read from any thread once it is safely published; {@link #put} belongs to the builder.
 */
public final class KeyIndex
{
    /** What {@link #get} returns for an absent key. */
    public static final int ABSENT = -1;

    private static final int KEY_WORDS = 3;

    private final int mask;
    private final long[] keys;
    private final int[] values;
    private int size;

    /**
     * An empty index for up to {@code capacity} keys.
     *
     * @param capacity the most keys it holds
     */
    public KeyIndex(final int capacity)
    {
        if (capacity < 0 || capacity > (1 << 29))
        {
            throw new IllegalArgumentException("capacity out of range: " + capacity);
        }
        final int slots = Math.max(2, Integer.highestOneBit(Math.max(1, capacity) * 2 - 1) << 1);
        this.mask = slots - 1;
        this.keys = new long[slots * KEY_WORDS];
        this.values = new int[slots];
        Arrays.fill(values, ABSENT);
    }

    /**
     * Maps the key to {@code value} ({@code >= 0}). Returns false, and changes nothing, when the key is already there
     * or the index holds its capacity.
     *
     * @param a the key's first word
     * @param b its second word
     * @param c its third word
     * @param value the value, {@code >= 0}
     * @return false when the key is there already or the index is full
     */
    public boolean put(final long a, final long b, final long c, final int value)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException("values are >= 0: " + value);
        }
        int slot = (int)TupleHash.hash(a, b, c) & mask;
        while (values[slot] != ABSENT)
        {
            if (matches(slot, a, b, c))
            {
                return false;
            }
            slot = (slot + 1) & mask;
        }
        if (size * 2 >= values.length)
        {
            return false;
        }
        final int k = slot * KEY_WORDS;
        keys[k] = a;
        keys[k + 1] = b;
        keys[k + 2] = c;
        values[slot] = value;
        size++;
        return true;
    }

    /**
     * {@return the value of the key, or {@link #ABSENT}} Allocation-free.
     *
     * @param a the key's first word
     * @param b its second word
     * @param c its third word
     */
    public int get(final long a, final long b, final long c)
    {
        int slot = (int)TupleHash.hash(a, b, c) & mask;
        while (true)
        {
            final int value = values[slot];
            if (value == ABSENT || matches(slot, a, b, c))
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

    private boolean matches(final int slot, final long a, final long b, final long c)
    {
        final int k = slot * KEY_WORDS;
        return keys[k + 2] == c && keys[k] == a && keys[k + 1] == b;
    }
}
