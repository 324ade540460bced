package io.marchproxy.control.observe;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A scrape of {@code /observe/metrics} in the Prometheus text format, parsed: each sample's series (its name and
 * labels as written, {@code name{a="x",b="y"}}) and value, so tests compare numbers rather than how the library
 * spells them ({@code 1} or {@code 1.0}).
 */
public final class Scrape {
    private final Map<String, Double> samples = new LinkedHashMap<>();
    private final Map<String, String> types = new LinkedHashMap<>();
    private final String text;

    private Scrape(String text) {
        this.text = text;
    }

    /** Parses {@code text}; a line that is neither a comment nor {@code series value} fails the test. */
    public static Scrape parse(String text) {
        Scrape s = new Scrape(text);
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] p = line.split(" ");
                s.types.put(p[2], p[3]);
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            int close = line.lastIndexOf('}');
            int space = line.indexOf(' ', close < 0 ? 0 : close);
            if (space < 0) {
                throw new AssertionError("not a sample: " + line);
            }
            String value = line.substring(space + 1).trim().split(" ")[0];
            s.samples.put(line.substring(0, space), switch (value) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                case "NaN" -> Double.NaN;
                default -> Double.parseDouble(value);
            });
        }
        return s;
    }

    /** The value of {@code series} (e.g. {@code marchproxy_proxies{status="active"}}); fails the test when absent. */
    public double value(String series) {
        Double v = samples.get(series);
        if (v == null) {
            throw new AssertionError("no sample " + series + " in:\n" + text);
        }
        return v;
    }

    /** The value of {@code series}, or {@code otherwise} when absent. */
    public double value(String series, double otherwise) {
        return samples.getOrDefault(series, otherwise);
    }

    /** Whether some sample's name is {@code name} (with any labels). */
    public boolean has(String name) {
        return samples.keySet().stream().anyMatch(k -> k.equals(name) || k.startsWith(name + "{"));
    }

    /** The sum of every sample of {@code name} whose labels contain each of {@code labels} ({@code a="x"}). */
    public double sum(String name, String... labels) {
        double sum = 0;
        for (Map.Entry<String, Double> e : samples.entrySet()) {
            String k = e.getKey();
            if (!(k.equals(name) || k.startsWith(name + "{"))) {
                continue;
            }
            boolean all = true;
            for (String l : labels) {
                all &= k.contains(l);
            }
            if (all) {
                sum += e.getValue();
            }
        }
        return sum;
    }

    /** The names of every sample (without labels). */
    public Set<String> names() {
        Set<String> names = new TreeSet<>();
        for (String k : samples.keySet()) {
            int brace = k.indexOf('{');
            names.add(brace < 0 ? k : k.substring(0, brace));
        }
        return names;
    }

    /** The {@code # TYPE} of a family, or null. */
    public String type(String family) {
        return types.get(family);
    }

    public String text() {
        return text;
    }
}
