package io.marchproxy.dataplane.balance;

import java.util.List;

/**
 * Weighted least-connections: picks the eligible backend with the fewest active flows per unit of weight
 * ({@code active[i] / weight[i]}, compared by cross-multiplication so nothing is divided), ties broken round-robin so
 * that equally loaded backends share new flows in turn. The counts are the caller's: {@link #flowOpened} after a flow
 * was inserted, {@link #flowClosed} when it expired or was removed. O(backends) per pick.
 */
public final class LeastConnectionsSelector extends PooledSelector
{
    private final long[] active;
    private int start;

    /**
     * A selector over {@code backends}.
     *
     * @param backends the service's backends
     */
    public LeastConnectionsSelector(final List<Backend> backends)
    {
        super(backends);
        this.active = new long[pool.size()];
    }

    @Override
    public int select(final long flowHash)
    {
        final int n = pool.size();
        final int[] weights = pool.weights;
        int best = NO_BACKEND;
        for (int k = 0; k < n; k++)
        {
            final int i = start + k < n ? start + k : start + k - n;
            if (pool.eligible(i)
                && (best == NO_BACKEND || active[i] * weights[best] < active[best] * weights[i]))
            {
                best = i;
            }
        }
        if (n > 0)
        {
            start = start + 1 == n ? 0 : start + 1;
        }
        return best;
    }

    @Override
    public void flowOpened(final int backend)
    {
        if (backend >= 0 && backend < active.length)
        {
            active[backend]++;
        }
    }

    @Override
    public void flowClosed(final int backend)
    {
        if (backend >= 0 && backend < active.length && active[backend] > 0)
        {
            active[backend]--;
        }
    }

    /**
     * {@return active flows the caller reported for {@code backend}}
     *
     * @param backend the backend's index
     */
    public long activeFlows(final int backend)
    {
        return active[backend];
    }
}
