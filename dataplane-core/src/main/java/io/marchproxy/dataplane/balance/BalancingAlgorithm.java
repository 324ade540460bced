package io.marchproxy.dataplane.balance;

import java.util.List;
import java.util.function.Function;

/** The load-balancing algorithms a service may use, each a factory of its {@link BackendSelector}. */
public enum BalancingAlgorithm
{
    ROUND_ROBIN(RoundRobinSelector::new),
    WEIGHTED_ROUND_ROBIN(SmoothWeightedSelector::new),
    LEAST_CONNECTIONS(LeastConnectionsSelector::new),
    MAGLEV(MaglevSelector::new);

    private final Function<List<Backend>, BackendSelector> factory;

    BalancingAlgorithm(final Function<List<Backend>, BackendSelector> factory)
    {
        this.factory = factory;
    }

    /** A new selector over {@code backends} (configuration time: allocates). */
    public BackendSelector selector(final List<Backend> backends)
    {
        return factory.apply(backends);
    }
}
