package io.marchproxy.dataplane.net;

/**
 * Binary search over disjoint inclusive intervals {@code [firsts[i], lasts[i]]} sorted by first value, as port ranges
 * of a VIP or port segments of an access entry are stored. Allocation-free.
 */
public final class IntervalSearch
{
    /** What {@link #indexOf} returns when no interval holds the key. */
    public static final int NONE = -1;

    private IntervalSearch()
    {
    }

    /**
     * {@return the index in {@code [from, to)} of the interval holding {@code key}, or {@link #NONE}}
     *
     * @param firsts each interval's first value, sorted
     * @param lasts each interval's last value
     * @param from the first index to search
     * @param to the index after the last
     * @param key the value to find
     */
    public static int indexOf(final int[] firsts, final int[] lasts, final int from, final int to, final int key)
    {
        int count = to - from;
        if (count <= 0)
        {
            return NONE;
        }
        // Branch-free lower bound (the conditional becomes a cmov): the last interval starting at or before the key.
        int base = from;
        while (count > 1)
        {
            final int half = count >>> 1;
            base = firsts[base + half] <= key ? base + half : base;
            count -= half;
        }
        return firsts[base] <= key && key <= lasts[base] ? base : NONE;
    }
}
