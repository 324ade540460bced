package io.marchproxy.dataplane.balance;

import java.util.List;

/** The part of every selector that keeps the {@link BackendPool}: eligibility, health, size. */
abstract class PooledSelector implements BackendSelector
{
    final BackendPool pool;

    PooledSelector(final List<Backend> backends)
    {
        this.pool = new BackendPool(backends);
    }

    @Override
    public void available(final int backend, final boolean available)
    {
        if (pool.available(backend, available))
        {
            eligibilityChanged();
        }
    }

    @Override
    public final boolean isEligible(final int backend)
    {
        return pool.eligible(backend);
    }

    @Override
    public final int size()
    {
        return pool.size();
    }

    /** Called after a backend became eligible or stopped being so. */
    void eligibilityChanged()
    {
    }
}
