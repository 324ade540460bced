package io.marchproxy.dataplane.balance;

import java.util.List;

/** Plain round-robin over the eligible backends, in list order; weights only decide eligibility (above 0). */
public final class RoundRobinSelector extends PooledSelector
{
    private int next;

    /**
     * A selector over {@code backends}.
     *
     * @param backends the service's backends
     */
    public RoundRobinSelector(final List<Backend> backends)
    {
        super(backends);
    }

    @Override
    public int select(final long flowHash)
    {
        final int n = pool.size();
        for (int tried = 0; tried < n; tried++)
        {
            final int candidate = next;
            next = next + 1 == n ? 0 : next + 1;
            if (pool.eligible(candidate))
            {
                return candidate;
            }
        }
        return NO_BACKEND;
    }
}
