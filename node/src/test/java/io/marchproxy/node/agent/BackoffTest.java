package io.marchproxy.node.agent;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent's retry waits: doubling from the first up to the cap, each within 20 % of its base, reset by a success. */
class BackoffTest
{
    private static void within(final long baseMillis, final Duration wait)
    {
        assertTrue(wait.toNanos() >= baseMillis * 800_000L && wait.toNanos() <= baseMillis * 1_200_000L,
            wait + " not within 20 % of " + baseMillis + " ms");
    }

    @Test
    void doublesUpToTheCapWithJitterAndStartsOverAfterASuccess()
    {
        for (int round = 0; round < 200; round++)
        {
            final Backoff b = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
            for (final long base : new long[]{200, 400, 800, 1600, 3200, 5000, 5000, 5000})
            {
                within(base, b.next());
            }
            assertEquals(8, b.failures());
            b.reset();
            assertEquals(0, b.failures());
            within(200, b.next());
        }
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
    }
}
