package io.marchproxy.node.agent;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before the next attempt after failures: doubling from {@code first} up to {@code max}, each wait
 * spread by +-20 % so agents that lost the control plane together do not come back in step. One thread.
 */
final class Backoff
{
    private final long firstNanos;
    private final long maxNanos;
    private long nextNanos;
    private int failures;

    Backoff(final Duration first, final Duration max)
    {
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0)
        {
            throw new IllegalArgumentException("backoff needs 0 < first <= max, not " + first + ", " + max);
        }
        this.firstNanos = first.toNanos();
        this.maxNanos = max.toNanos();
        this.nextNanos = firstNanos;
    }

    /** The wait after one more failure. */
    Duration next()
    {
        failures++;
        final long base = nextNanos;
        nextNanos = Math.min(maxNanos, nextNanos * 2);
        final long spread = base / 5;
        return Duration.ofNanos(base - spread + ThreadLocalRandom.current().nextLong(2 * spread + 1));
    }

    /** Failures since the last {@link #reset()}. */
    int failures()
    {
        return failures;
    }

    /** After a success: the next failure waits {@code first} again. */
    void reset()
    {
        nextNanos = firstNanos;
        failures = 0;
    }
}
