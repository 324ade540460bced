package io.marchproxy.perflab.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Locale;

/** Figures out of result JSON: arrays of rounds, medians, and how the report prints a number. */
final class Numbers
{
    private Numbers()
    {
    }

    /** The numbers of a JSON array, nulls and non-numbers left out (a failed round is null). */
    static List<Double> of(final JsonNode array)
    {
        final List<Double> values = new ArrayList<>();
        for (final JsonNode v : array)
        {
            if (v.isNumber())
            {
                values.add(v.asDouble());
            }
        }
        return values;
    }

    /** The number at {@code field} of {@code node}, or NaN when it is missing or null. */
    static double at(final JsonNode node, final String field)
    {
        final JsonNode v = node.path(field);
        return v.isNumber() ? v.asDouble() : Double.NaN;
    }

    /** Median of {@code values} (mean of the middle two for an even count), NaN when empty. */
    static double median(final List<Double> values)
    {
        if (values.isEmpty())
        {
            return Double.NaN;
        }
        final List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        final int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** "-" for NaN; 1,234,567 from 1,000 up; else three significant digits ("0.923", "12.3", "456"). */
    static String fmt(final double v)
    {
        if (Double.isNaN(v) || Double.isInfinite(v))
        {
            return "-";
        }
        final double a = Math.abs(v);
        if (a >= 1000)
        {
            return String.format(Locale.ROOT, "%,d", Math.round(v));
        }
        if (a >= 100 || a == 0)
        {
            return String.format(Locale.ROOT, "%d", Math.round(v));
        }
        return a >= 10 ? String.format(Locale.ROOT, "%.1f", v)
            : a >= 1 ? String.format(Locale.ROOT, "%.2f", v) : String.format(Locale.ROOT, "%.3f", v);
    }

    /** "min-max" of the rounds, "-" when there are none. */
    static String range(final List<Double> values)
    {
        if (values.isEmpty())
        {
            return "-";
        }
        final DoubleSummaryStatistics s = values.stream().mapToDouble(Double::doubleValue).summaryStatistics();
        return values.size() == 1 ? fmt(s.getMin()) : fmt(s.getMin()) + " - " + fmt(s.getMax());
    }
}
