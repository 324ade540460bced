package io.marchproxy.dataplane.counter;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A latency distribution in nanoseconds (HdrHistogram, two significant digits, up to {@link #HIGHEST_NANOS}) that
 * several threads record into without sharing anything: each writer thread gets a {@link Writer} of its own (an
 * HdrHistogram {@link SingleWriterRecorder}), and readers merge the writers' interval histograms into one total, off
 * the hot path.
 *
 * <p>Threads: {@link Writer#record} belongs to the writer's one thread (wait-free, allocation-free, no exception for
 * any value: values are clamped to 0..{@link #HIGHEST_NANOS}); {@link #newWriter()} and {@link #snapshot()} to any
 * thread.
 */
public final class LatencyHistogram
{
    /** Values above are recorded as this (10 s: a turn that long is a stall, not a latency). */
    public static final long HIGHEST_NANOS = 10_000_000_000L;
    private static final int DIGITS = 2;

    private final List<Writer> writers = new CopyOnWriteArrayList<>();
    private final Histogram total = new Histogram(HIGHEST_NANOS, DIGITS);

    /** An empty histogram with no writers yet. */
    public LatencyHistogram()
    {
    }

    /** The recording side of one thread. */
    public static final class Writer
    {
        private final SingleWriterRecorder recorder = new SingleWriterRecorder(HIGHEST_NANOS, DIGITS);
        private Histogram recycled;

        private Writer()
        {
        }

        /**
         * Records {@code count} values of {@code nanos} each; the writer's thread only.
         *
         * @param nanos the value, clamped to 0..{@link #HIGHEST_NANOS}
         * @param count how many times it was seen
         */
        public void record(final long nanos, final long count)
        {
            recorder.recordValueWithCount(nanos < 0 ? 0 : Math.min(nanos, HIGHEST_NANOS), count);
        }

        private void drainInto(final Histogram into)
        {
            recycled = recorder.getIntervalHistogram(recycled);
            into.add(recycled);
        }
    }

    /** {@return a writer for one more thread} Its values count in every later {@link #snapshot()}. */
    public Writer newWriter()
    {
        final Writer w = new Writer();
        writers.add(w);
        return w;
    }

    /** {@return everything recorded so far by every writer, as a copy} Any thread (allocates: for reporting only). */
    public synchronized Histogram snapshot()
    {
        for (final Writer w : writers)
        {
            w.drainInto(total);
        }
        return total.copy();
    }
}
