package io.marchproxy.dataplane.balance;

import java.util.Arrays;
import java.util.List;

/**
 * Smooth weighted round-robin, nginx's algorithm: each pick adds every eligible backend's weight to its current
 * value, picks the largest current value (first in list order on ties) and subtracts the total weight from it. Over
 * any run of picks as long as the sum of the weights, each backend is picked exactly its weight times, spread out
 * rather than in bursts (weights 5, 1, 1 give a a b a c a a). O(backends) per pick.
 */
public final class SmoothWeightedSelector extends PooledSelector
{
    private final long[] current;

    /**
     * A selector over {@code backends}.
     *
     * @param backends the service's backends
     */
    public SmoothWeightedSelector(final List<Backend> backends)
    {
        super(backends);
        this.current = new long[pool.size()];
    }

    @Override
    public int select(final long flowHash)
    {
        final int[] weights = pool.weights;
        long total = 0;
        int best = NO_BACKEND;
        for (int i = 0; i < weights.length; i++)
        {
            if (pool.eligible(i))
            {
                current[i] += weights[i];
                total += weights[i];
                if (best == NO_BACKEND || current[i] > current[best])
                {
                    best = i;
                }
            }
        }
        if (best != NO_BACKEND)
        {
            current[best] -= total;
        }
        return best;
    }

    /** nginx resets the state of a backend that leaves, so it comes back without a saved-up burst. */
    @Override
    void eligibilityChanged()
    {
        Arrays.fill(current, 0);
    }
}
