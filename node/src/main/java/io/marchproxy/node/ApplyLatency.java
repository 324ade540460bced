package io.marchproxy.node;

import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;

import java.time.Duration;

/**
 * How long config changes took from their commit in the store to the dataplane serving them, as an HdrHistogram
 * (microseconds, up to a minute). Recorded by the one thread that applies changes; read from any.
 */
public final class ApplyLatency
{
    private final Recorder recorder = new Recorder(60_000_000L, 3);
    private final Histogram total = new Histogram(60_000_000L, 3);

    public void record(final Duration d)
    {
        recorder.recordValue(Math.min(60_000_000L, Math.max(0, d.toNanos() / 1_000)));
    }

    /** Everything recorded so far, copied. */
    public synchronized Histogram snapshot()
    {
        total.add(recorder.getIntervalHistogram());
        return total.copy();
    }
}
