package io.marchproxy.lab;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for a lab to reach a state: polls a condition every 20 ms until it holds or the time is up. */
public final class Await
{
    /** What lab tests wait at most for a change to show (a config applied, flows closed, records appended). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

    private Await()
    {
    }

    /** Waits until {@code condition} holds; an {@link AssertionError} naming {@code what} after {@code timeout}. */
    public static void until(final String what, final Duration timeout, final BooleanSupplier condition)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /** {@link #until(String, Duration, BooleanSupplier)} with {@link #DEFAULT_TIMEOUT}. */
    public static void until(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        until(what, DEFAULT_TIMEOUT, condition);
    }
}
