package io.marchproxy.node.stats;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scrape of a Prometheus text exposition (format 0.0.4, what {@code /observe/metrics} answers without an
 * OpenMetrics {@code Accept}), parsed into samples: a metric name, its labels and a value. Comments and metadata are
 * skipped; a line that is not a sample is refused with the line in the message.
 */
public final class MetricsScrape
{
    /**
     * One sample.
     *
     * @param name   the sample's name, e.g. {@code marchproxy_l4_service_packets_total}
     * @param labels its labels in the order written
     * @param value  its value
     */
    public record Sample(String name, Map<String, String> labels, double value)
    {
        /**
         * {@return the value of label {@code label}, or null}
         *
         * @param label the label's name
         */
        public String label(final String label)
        {
            return labels.get(label);
        }
    }

    private final List<Sample> samples;

    private MetricsScrape(final List<Sample> samples)
    {
        this.samples = samples;
    }

    /**
     * {@return the samples of {@code text}}
     *
     * @param text a Prometheus text exposition
     * @throws IllegalArgumentException naming a line that is not a sample
     */
    public static MetricsScrape parse(final String text)
    {
        final List<Sample> samples = new ArrayList<>();
        for (final String raw : text.split("\n"))
        {
            final String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            samples.add(sample(line));
        }
        return new MetricsScrape(Collections.unmodifiableList(samples));
    }

    /** {@return every sample, in the order of the text} */
    public List<Sample> samples()
    {
        return samples;
    }

    /**
     * {@return the samples named {@code name}}
     *
     * @param name the sample name
     */
    public List<Sample> named(final String name)
    {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /**
     * {@return the sum of the samples named {@code name} whose labels include {@code labels} (pairs of name and value);
     * 0 when there is none}
     *
     * @param name   the sample name
     * @param labels label name, value, label name, value...
     */
    public double sum(final String name, final String... labels)
    {
        double sum = 0;
        for (final Sample s : samples)
        {
            if (s.name().equals(name) && matches(s, labels))
            {
                sum += s.value();
            }
        }
        return sum;
    }

    private static boolean matches(final Sample s, final String... labels)
    {
        for (int i = 0; i + 1 < labels.length; i += 2)
        {
            if (!labels[i + 1].equals(s.label(labels[i])))
            {
                return false;
            }
        }
        return true;
    }

    private static Sample sample(final String line)
    {
        final int brace = line.indexOf('{');
        final int space = line.indexOf(' ');
        final Map<String, String> labels = new LinkedHashMap<>();
        final String name;
        int rest;
        if (brace >= 0 && (space < 0 || brace < space))
        {
            name = line.substring(0, brace);
            rest = labels(line, brace + 1, labels);
        }
        else if (space > 0)
        {
            name = line.substring(0, space);
            rest = space;
        }
        else
        {
            throw new IllegalArgumentException("not a metric sample: " + line);
        }
        final String[] tail = line.substring(rest).strip().split("\\s+");
        try
        {
            return new Sample(name, Collections.unmodifiableMap(labels), value(tail[0]));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("not a metric sample: " + line);
        }
    }

    /** Reads {@code a="x",b="y"}} from {@code from}; returns the index after the closing brace. */
    private static int labels(final String line, final int from, final Map<String, String> into)
    {
        int i = from;
        while (i < line.length() && line.charAt(i) != '}')
        {
            final int eq = line.indexOf('=', i);
            if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"')
            {
                throw new IllegalArgumentException("not a metric sample: " + line);
            }
            final String label = line.substring(i, eq).strip();
            final StringBuilder value = new StringBuilder();
            int j = eq + 2;
            for (; j < line.length() && line.charAt(j) != '"'; j++)
            {
                char c = line.charAt(j);
                if (c == '\\' && j + 1 < line.length())
                {
                    c = line.charAt(++j);
                    value.append(c == 'n' ? '\n' : c);
                }
                else
                {
                    value.append(c);
                }
            }
            if (j >= line.length())
            {
                throw new IllegalArgumentException("not a metric sample: " + line);
            }
            into.put(label, value.toString());
            i = j + 1;
            if (i < line.length() && line.charAt(i) == ',')
            {
                i++;
            }
        }
        if (i >= line.length())
        {
            throw new IllegalArgumentException("not a metric sample: " + line);
        }
        return i + 1;
    }

    private static double value(final String text)
    {
        return switch (text)
        {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }
}
