package io.marchproxy.node;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting in tests for something another thread (or process) makes true, bounded, polling every 20 ms. */
public final class Await
{
    private Await()
    {
    }

    /** Returns once {@code condition} holds; fails naming {@code what} after {@code timeout}. */
    public static void until(final String what, final Duration timeout, final BooleanSupplier condition)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
