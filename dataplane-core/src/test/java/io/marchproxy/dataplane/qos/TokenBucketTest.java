package io.marchproxy.dataplane.qos;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenBucketTest
{
    private static final long T0 = 7_000_000_000L;

    @Test
    void aFullBucketLetsItsBurstThroughThenTheRate()
    {
        final TokenBucket bucket = new TokenBucket(8_000_000, 10_000); // 1 MB/s, 10 kB
        int immediate = 0;
        while (bucket.conformsAt(T0) == T0)
        {
            bucket.consume(T0, 1000);
            immediate++;
        }
        assertEquals(11, immediate, "the burst and one packet more");
        final long next = bucket.conformsAt(T0);
        assertEquals(T0 + 1_000_000, next, "then one 1000-byte packet a millisecond");
        bucket.consume(next, 1000);
        assertEquals(next + 1_000_000, bucket.conformsAt(next));
    }

    @Test
    void overAnyIntervalAtMostBurstPlusRate()
    {
        final long rate = 20_000_000; // 2.5 MB/s
        final TokenBucket bucket = new TokenBucket(rate, 25_000);
        long now = T0;
        long bytes = 0;
        // greedy: a 1400-byte packet whenever the bucket allows, time moving in 10 us steps, for 2 s
        while (now < T0 + 2_000_000_000L)
        {
            while (bucket.conformsAt(now) <= now)
            {
                bucket.consume(now, 1400);
                bytes += 1400;
            }
            now += 10_000;
        }
        final double expected = rate / 8.0 * 2 + 25_000;
        assertTrue(Math.abs(bytes - expected) <= 2 * 1400, bytes + " vs " + expected);
    }

    @Test
    void anIdleBucketRefillsOnlyToItsSize()
    {
        final TokenBucket bucket = new TokenBucket(8_000_000, 5_000);
        bucket.consume(T0, 5_000);
        final long later = T0 + 10_000_000_000L;
        int immediate = 0;
        while (bucket.conformsAt(later) == later)
        {
            bucket.consume(later, 1000);
            immediate++;
        }
        assertEquals(6, immediate);
    }

    @Test
    void refusesNonsense()
    {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1000));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1_000_000, 0));
    }
}
