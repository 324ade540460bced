package io.marchproxy.dataplane.balance;

import java.util.List;

/**
 * The per-backend arrays every selector keeps: weights and the eligibility that {@link BackendSelector#available}
 * changes. Owned by the selector (and so by its dataplane thread).
 */
final class BackendPool
{
    final List<Backend> backends;
    final int[] weights;
    final boolean[] configured;
    final boolean[] healthy;

    BackendPool(final List<Backend> backends)
    {
        this.backends = List.copyOf(backends);
        final int n = this.backends.size();
        weights = new int[n];
        configured = new boolean[n];
        healthy = new boolean[n];
        for (int i = 0; i < n; i++)
        {
            final Backend backend = this.backends.get(i);
            weights[i] = backend.weight();
            configured[i] = backend.enabled() && backend.weight() > 0;
            healthy[i] = true;
        }
    }

    boolean eligible(final int backend)
    {
        return backend >= 0 && backend < weights.length && configured[backend] && healthy[backend];
    }

    /** Sets health; returns true when the backend's eligibility changed. */
    boolean available(final int backend, final boolean available)
    {
        if (backend < 0 || backend >= weights.length || healthy[backend] == available)
        {
            return false;
        }
        healthy[backend] = available;
        return configured[backend];
    }

    int size()
    {
        return weights.length;
    }
}
