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

    /** The index in {@code [from, to)} of the interval holding {@code key}, or {@link #NONE}. */
    public static int indexOf(final int[] firsts, final int[] lasts, final int from, final int to, final int key)
    {
        int low = from;
        int high = to - 1;
        while (low <= high)
        {
            final int middle = (low + high) >>> 1;
            if (firsts[middle] <= key)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return high >= from && key <= lasts[high] ? high : NONE;
    }
}
