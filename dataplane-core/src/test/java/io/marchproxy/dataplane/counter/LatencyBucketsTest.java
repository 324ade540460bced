package io.marchproxy.dataplane.counter;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The buckets tile the range without gaps (every value lands in the bucket whose bounds hold it, each bucket at most a
 * quarter of its lower bound wide), quantiles come out within a bucket of HdrHistogram's on the same values, and the
 * cumulative count at any bound never decreases.
 */
class LatencyBucketsTest
{
    @Test
    void bucketsTileTheRange()
    {
        assertEquals(0, LatencyBuckets.bucket(-5));
        assertEquals(0, LatencyBuckets.bucket(LatencyBuckets.FIRST_BOUND - 1));
        assertEquals(1, LatencyBuckets.bucket(LatencyBuckets.FIRST_BOUND));
        assertEquals(LatencyBuckets.BUCKETS - 1, LatencyBuckets.bucket(Long.MAX_VALUE));
        assertEquals(LatencyBuckets.BUCKETS - 1, LatencyBuckets.bucket(1L << LatencyBuckets.LAST_OCTAVE));
        for (int b = 0; b < LatencyBuckets.BUCKETS - 1; b++)
        {
            final long lower = LatencyBuckets.lowerBound(b);
            final long upper = LatencyBuckets.upperBound(b);
            assertEquals(b, LatencyBuckets.bucket(lower), "lower bound of " + b);
            assertEquals(b, LatencyBuckets.bucket(upper - 1), "last value of " + b);
            assertEquals(b + 1, LatencyBuckets.bucket(upper), "upper bound of " + b);
            assertTrue(b == 0 || upper - lower <= lower / 4, "bucket " + b + " is " + lower + ".." + upper);
        }
    }

    @Test
    void quantilesAgreeWithHdrHistogramWithinABucket()
    {
        final LatencyBuckets buckets = new LatencyBuckets();
        final org.HdrHistogram.Histogram reference = new org.HdrHistogram.Histogram(10_000_000_000L, 3);
        final SplittableRandom random = new SplittableRandom(13);
        final long[] values = new long[400_000];
        int n = 0;
        long sum = 0;
        for (int i = 0; i < 100_000; i++)
        {
            // log-uniform from 1 us to 1 ms, with a tail
            final long nanos = (long)(1_000 * Math.pow(1_000, random.nextDouble())) * (i % 100 == 0 ? 20 : 1);
            final int count = 1 + random.nextInt(4);
            buckets.record(nanos, count);
            reference.recordValueWithCount(nanos, count);
            sum += nanos * count;
            for (int c = 0; c < count; c++)
            {
                values[n++] = nanos;
            }
        }
        final long[] sorted = java.util.Arrays.copyOf(values, n);
        java.util.Arrays.sort(sorted);
        final LatencyBuckets.Snapshot s = buckets.snapshot();
        assertEquals(reference.getTotalCount(), s.count());
        assertEquals(sum, s.sumNanos());
        for (final double q : new double[]{0.1, 0.5, 0.9, 0.99, 0.999})
        {
            final double expected = reference.getValueAtPercentile(q * 100);
            final double actual = s.valueAtQuantile(q);
            assertTrue(Math.abs(actual - expected) <= expected / 4, "q" + q + ": " + actual + " against " + expected);
        }
        long previous = 0;
        for (long bound = 0; bound < 40_000_000; bound = bound * 5 / 4 + 7)
        {
            final long atOrBelow = s.countAtOrBelow(bound);
            assertTrue(atOrBelow >= previous, "cumulative at " + bound);
            final long exact = atOrBelow(sorted, bound);
            assertTrue(Math.abs(atOrBelow - exact) <= s.counts()[LatencyBuckets.bucket(bound)],
                "within the bucket of " + bound + ": " + atOrBelow + " against " + exact);
            previous = atOrBelow;
        }
        assertEquals(s.count(), s.countAtOrBelow(Long.MAX_VALUE));
        assertEquals(0, LatencyBuckets.Snapshot.empty().valueAtQuantile(0.5));
    }

    /** How many of {@code sorted} are at most {@code bound}. */
    private static long atOrBelow(final long[] sorted, final long bound)
    {
        int low = 0;
        int high = sorted.length;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (sorted[mid] <= bound)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }
}
