package io.marchproxy.dataplane.counter;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A compact latency distribution in nanoseconds with one writer thread and any number of readers: the counts since
 * it was made in {@value #BUCKETS} fixed log-linear buckets (four per power of two, so a bucket is at most 25% of its
 * lower bound wide) from {@value #FIRST_BOUND} ns up to 2<sup>{@value #LAST_OCTAVE}</sup> ns (17 s), and the sum of
 * the values.
 * Made for one distribution per service: under 900 bytes each whatever is recorded (10,000 services: under 9 MB),
 * where an HdrHistogram recorder of the node-wide {@link LatencyHistogram}'s precision holds two histograms of some
 * 28 KB each. The price is precision: a quantile is interpolated within its bucket.
 *
 * <p>Threads: {@link #record} belongs to the one writer thread (a plain read and a release store per slot, as
 * {@link SingleWriterCounters} does; allocation-free, no exception for any value: values are clamped to the range);
 * {@link #snapshot()} to any thread (acquire loads; the snapshot as a whole is not atomic).
 */
public final class LatencyBuckets
{
    /** Values below this many nanoseconds share the first bucket. */
    public static final long FIRST_BOUND = 256;
    /** Values at or above 2 to this power (nanoseconds) share the last bucket. */
    public static final int LAST_OCTAVE = 34;
    /** log2 of {@link #FIRST_BOUND}. */
    private static final int FIRST_OCTAVE = 8;
    private static final int SUB_BITS = 2;
    private static final int PER_OCTAVE = 1 << SUB_BITS;
    /** Buckets: one below {@link #FIRST_BOUND}, four per power of two up to 2^{@link #LAST_OCTAVE}, one above. */
    public static final int BUCKETS = 2 + (LAST_OCTAVE - FIRST_OCTAVE) * PER_OCTAVE;
    private static final int SUM = BUCKETS;
    private static final VarHandle VALUES = MethodHandles.arrayElementVarHandle(long[].class);

    /** Counts by bucket, then the sum of the values. */
    private final long[] values = new long[BUCKETS + 1];

    /** An empty distribution. */
    public LatencyBuckets()
    {
    }

    /**
     * {@return the bucket of {@code nanos}} Negative values fall into the first, values past the range into the last.
     *
     * @param nanos a value
     */
    public static int bucket(final long nanos)
    {
        if (nanos < FIRST_BOUND)
        {
            return 0;
        }
        final int octave = 63 - Long.numberOfLeadingZeros(nanos);
        if (octave >= LAST_OCTAVE)
        {
            return BUCKETS - 1;
        }
        final int sub = (int)(nanos >>> (octave - SUB_BITS)) & (PER_OCTAVE - 1);
        return 1 + (octave - FIRST_OCTAVE) * PER_OCTAVE + sub;
    }

    /**
     * {@return the smallest value of bucket {@code bucket}, nanoseconds}
     *
     * @param bucket 0 to {@link #BUCKETS} - 1
     */
    public static long lowerBound(final int bucket)
    {
        if (bucket == 0)
        {
            return 0;
        }
        if (bucket == BUCKETS - 1)
        {
            return 1L << LAST_OCTAVE;
        }
        final int k = bucket - 1;
        final int octave = FIRST_OCTAVE + k / PER_OCTAVE;
        return (long)(PER_OCTAVE + k % PER_OCTAVE) << (octave - SUB_BITS);
    }

    /**
     * {@return the bound below which every value of bucket {@code bucket} lies, nanoseconds} For the last bucket, twice
     * its lower bound (values clamped into it may be larger).
     *
     * @param bucket 0 to {@link #BUCKETS} - 1
     */
    public static long upperBound(final int bucket)
    {
        return bucket == BUCKETS - 1 ? 2L << LAST_OCTAVE : lowerBound(bucket + 1);
    }

    /**
     * Records {@code count} values of {@code nanos} each; the writer's thread only.
     *
     * @param nanos the value
     * @param count how many times it was seen
     */
    public void record(final long nanos, final long count)
    {
        final int b = bucket(nanos);
        VALUES.setRelease(values, b, values[b] + count);
        VALUES.setRelease(values, SUM, values[SUM] + Math.max(0, nanos) * count);
    }

    /** {@return the counts recorded so far, as a copy; any thread (allocates: for reporting only)} */
    public Snapshot snapshot()
    {
        final long[] counts = new long[BUCKETS];
        for (int b = 0; b < BUCKETS; b++)
        {
            counts[b] = (long)VALUES.getAcquire(values, b);
        }
        return new Snapshot(counts, (long)VALUES.getAcquire(values, SUM));
    }

    /**
     * The counts of a {@link LatencyBuckets} at one moment.
     *
     * @param counts   values recorded per bucket (not cumulative), {@link #BUCKETS} of them
     * @param sumNanos the sum of the values recorded
     */
    public record Snapshot(long[] counts, long sumNanos)
    {
        /** {@return a snapshot of nothing recorded} */
        public static Snapshot empty()
        {
            return new Snapshot(new long[BUCKETS], 0);
        }

        /**
         * {@return what was recorded since {@code earlier}, a snapshot of the same distribution taken before this one}
         *
         * @param earlier the earlier snapshot
         */
        public Snapshot since(final Snapshot earlier)
        {
            final long[] delta = new long[counts.length];
            for (int b = 0; b < delta.length; b++)
            {
                delta[b] = Math.max(0, counts[b] - earlier.counts[b]);
            }
            return new Snapshot(delta, Math.max(0, sumNanos - earlier.sumNanos));
        }

        /** {@return how many values were recorded} */
        public long count()
        {
            long n = 0;
            for (final long c : counts)
            {
                n += c;
            }
            return n;
        }

        /**
         * {@return the value below which {@code quantile} of the values lie, nanoseconds, interpolated linearly within
         * its bucket; 0 when nothing was recorded}
         *
         * @param quantile 0 to 1
         */
        public double valueAtQuantile(final double quantile)
        {
            final long total = count();
            if (total == 0)
            {
                return 0;
            }
            final double rank = Math.min(1, Math.max(0, quantile)) * total;
            long below = 0;
            for (int b = 0; b < counts.length; b++)
            {
                if (counts[b] > 0 && below + counts[b] >= rank)
                {
                    final long lower = lowerBound(b);
                    return lower + (upperBound(b) - lower) * Math.max(0, rank - below) / counts[b];
                }
                below += counts[b];
            }
            return upperBound(counts.length - 1);
        }

        /**
         * {@return how many values were at most {@code nanos}: the buckets below it, and the share of the bucket that
         * holds it in proportion to where {@code nanos} lies in that bucket (rounded down)} Never decreases as
         * {@code nanos} or the counts grow: usable as a cumulative histogram bucket at any bound.
         *
         * @param nanos the bound
         */
        public long countAtOrBelow(final long nanos)
        {
            if (nanos < 0)
            {
                return 0;
            }
            final int at = bucket(nanos);
            long n = 0;
            for (int b = 0; b < at; b++)
            {
                n += counts[b];
            }
            final long lower = lowerBound(at);
            final long width = upperBound(at) - lower;
            final long within = nanos >= upperBound(at) - 1 ? width : nanos + 1 - lower;
            return n + (long)((double)counts[at] * within / width);
        }
    }
}
