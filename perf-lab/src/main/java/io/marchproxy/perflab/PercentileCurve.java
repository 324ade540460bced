package io.marchproxy.perflab;

import org.HdrHistogram.Histogram;

import java.util.Locale;

/**
 * A latency distribution as the JSON the perf-lab report draws its CDFs from: {@code [[value, percentile], ...]} at
 * fixed percentiles from 0 (the minimum) to 100 (the maximum), values divided by a unit (1e3: microseconds from
 * nanoseconds). The points are the histogram's own (HdrHistogram, 3 significant digits), not interpolated.
 */
public final class PercentileCurve
{
    /** The percentiles written, dense in the tail where the latency of a forwarding path is decided. */
    static final double[] PERCENTILES = {0, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100};

    private PercentileCurve()
    {
    }

    /**
     * {@code histogram} as a JSON array of {@code [value / unit, percentile]} pairs, or {@code null} (the JSON literal)
     * when it holds no value.
     */
    public static String json(final Histogram histogram, final double unit)
    {
        if (histogram.getTotalCount() == 0)
        {
            return "null";
        }
        final StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < PERCENTILES.length; i++)
        {
            final double p = PERCENTILES[i];
            final long value = p == 0 ? histogram.getMinValue()
                : p == 100 ? histogram.getMaxValue() : histogram.getValueAtPercentile(p);
            b.append(i == 0 ? "" : ",")
                .append(String.format(Locale.ROOT, "[%.3f,%s]", histogram.highestEquivalentValue(value) / unit,
                    p == Math.rint(p) ? Long.toString((long)p) : Double.toString(p)));
        }
        return b.append(']').toString();
    }
}
