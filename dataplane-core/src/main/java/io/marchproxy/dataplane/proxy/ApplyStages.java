package io.marchproxy.dataplane.proxy;

import org.HdrHistogram.Histogram;

import java.util.EnumMap;
import java.util.Map;

/**
 * Where the time of {@link L4Proxy#apply} goes, stage by stage, as HdrHistograms of microseconds (up to a minute): what
 * an operator asks when a change takes long, and what a benchmark of config changes breaks its figure down by. Each
 * stage is recorded when it ends, so a call that fails in a stage records the ones before it. Recorded by the thread
 * that applies (one at a time); read from any.
 */
public final class ApplyStages
{
    /** The stages of one {@link L4Proxy#apply}, in order. */
    public enum Stage
    {
        /** The configuration compiled into its snapshot (service table, access policy, selectors, QoS). */
        COMPILE,
        /** The backend monitor's pass over the configuration's backends (their MACs), waited for. */
        LINKS,
        /** The dataplane worker's adoption of the snapshot (or apply's, on an idle worker's behalf), waited for. */
        ADOPTION,
        /** The XDP program's idle generation written and flipped live, the steered addresses set. */
        PROGRAM
    }

    private static final long HIGHEST_MICROS = 60_000_000L;

    private final Map<Stage, Histogram> histograms = new EnumMap<>(Stage.class);

    ApplyStages()
    {
        for (final Stage s : Stage.values())
        {
            histograms.put(s, new Histogram(HIGHEST_MICROS, 3));
        }
    }

    /** Records that {@code stage} took {@code nanos}. */
    synchronized void record(final Stage stage, final long nanos)
    {
        histograms.get(stage).recordValue(Math.min(HIGHEST_MICROS, Math.max(0, nanos / 1_000)));
    }

    /**
     * {@return what {@code stage} took in every apply so far, microseconds, a copy}
     *
     * @param stage the stage
     */
    public synchronized Histogram snapshot(final Stage stage)
    {
        return histograms.get(stage).copy();
    }
}
