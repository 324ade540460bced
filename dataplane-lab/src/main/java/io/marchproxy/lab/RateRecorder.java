package io.marchproxy.lab;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Bytes and datagrams per 10 ms of {@code System.nanoTime()} from an origin, for up to ten minutes: what a lab
 * sender sent or a lab receiver got, so a test can take the rate over any window of a run. One writer thread,
 * readers anywhere.
 */
public final class RateRecorder
{
    /** The resolution of the record. */
    public static final long BUCKET_NANOS = 10_000_000L;
    private static final int BUCKETS = 60_000;

    private final long origin;
    private final AtomicLongArray bytes = new AtomicLongArray(BUCKETS);
    private final AtomicLongArray datagrams = new AtomicLongArray(BUCKETS);

    public RateRecorder(final long origin)
    {
        this.origin = origin;
    }

    /** Records a datagram of {@code length} bytes at {@code now}; writer thread. */
    public void record(final long now, final int length)
    {
        final long bucket = (now - origin) / BUCKET_NANOS;
        if (bucket >= 0 && bucket < BUCKETS)
        {
            bytes.lazySet((int)bucket, bytes.get((int)bucket) + length);
            datagrams.lazySet((int)bucket, datagrams.get((int)bucket) + 1);
        }
    }

    /** Bytes recorded in {@code [from, to)} ({@code System.nanoTime()} values, rounded to buckets). */
    public long bytesBetween(final long from, final long to)
    {
        return sum(bytes, from, to);
    }

    /** Datagrams recorded in {@code [from, to)}. */
    public long datagramsBetween(final long from, final long to)
    {
        return sum(datagrams, from, to);
    }

    /** Every datagram recorded. */
    public long datagrams()
    {
        return sum(datagrams, origin, origin + BUCKETS * BUCKET_NANOS);
    }

    private long sum(final AtomicLongArray values, final long from, final long to)
    {
        final long first = Math.max(0, (from - origin) / BUCKET_NANOS);
        final long last = Math.min(BUCKETS, (to - origin) / BUCKET_NANOS);
        long total = 0;
        for (long b = first; b < last; b++)
        {
            total += values.get((int)b);
        }
        return total;
    }
}
