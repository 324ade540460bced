package io.marchproxy.dataplane.balance;

import java.util.List;
import java.util.function.Function;

/** The load-balancing algorithms a service may use, each a factory of its {@link BackendSelector}. */
public enum BalancingAlgorithm
{
    /** Each eligible backend in turn. */
    ROUND_ROBIN(RoundRobinSelector::new),
    /** In proportion to the weights, spread out (nginx's smooth weighted round robin). */
    WEIGHTED_ROUND_ROBIN(SmoothWeightedSelector::new),
    /** The eligible backend with the fewest active flows (weights break ties). */
    LEAST_CONNECTIONS(LeastConnectionsSelector::new),
    /** Consistent hashing (Maglev): a flow's hash picks its backend, and few flows move when backends come or go. */
    MAGLEV(MaglevSelector::new);

    private final Function<List<Backend>, BackendSelector> factory;

    BalancingAlgorithm(final Function<List<Backend>, BackendSelector> factory)
    {
        this.factory = factory;
    }

    /**
     * {@return a new selector over {@code backends} (configuration time: allocates)}
     *
     * @param backends the service's backends
     */
    public BackendSelector selector(final List<Backend> backends)
    {
        return factory.apply(backends);
    }
}
