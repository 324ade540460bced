package io.marchproxy.control.observe;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metric families one scrape of a collector reads, built up value by value and turned into client_java
 * {@link MetricSnapshots}: what a {@link io.prometheus.metrics.model.registry.MultiCollector} that reads figures kept
 * elsewhere (the store, the xDS server, the dataplane) returns. Names are the exposed ones; a counter's
 * {@code _total} is the format's and is taken off here, so a name reads in the code as it does on the wire.
 * Not thread-safe: one per scrape.
 */
public final class MetricFamilies {
    private enum Type { GAUGE, COUNTER, HISTOGRAM }

    /** One family: a name, its help and label names, and its data points. */
    public final class Family {
        private final Type type;
        private final String name;
        private final String help;
        private final String[] labelNames;
        private final List<Object> points = new ArrayList<>();

        private Family(Type type, String name, String help, String[] labelNames) {
            this.type = type;
            this.name = name;
            this.help = help;
            this.labelNames = labelNames.clone();
        }

        /** Adds a data point of a gauge or counter; {@code labelValues} in the order of the family's label names. */
        public Family add(double value, String... labelValues) {
            Labels labels = labels(labelValues);
            points.add(type == Type.COUNTER
                    ? CounterSnapshot.CounterDataPointSnapshot.builder().value(value).labels(labels).build()
                    : GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).labels(labels).build());
            return this;
        }

        /**
         * Adds a data point of a classic histogram: {@code cumulativeCounts[i]} observations were at most
         * {@code upperBounds[i]}; the last bound must be {@code +Inf} (its count is the total).
         */
        public Family addHistogram(double[] upperBounds, long[] cumulativeCounts, double sum, String... labelValues) {
            long[] perBucket = new long[cumulativeCounts.length];
            for (int i = 0; i < perBucket.length; i++) {
                perBucket[i] = cumulativeCounts[i] - (i == 0 ? 0 : cumulativeCounts[i - 1]);
            }
            points.add(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(upperBounds, perBucket))
                    .sum(sum).labels(labels(labelValues)).build());
            return this;
        }

        private Labels labels(String[] values) {
            if (values.length != labelNames.length) {
                throw new IllegalArgumentException(name + ": " + labelNames.length + " label values expected, got "
                        + values.length);
            }
            return values.length == 0 ? Labels.EMPTY : Labels.of(labelNames, values);
        }

        private MetricSnapshot snapshot() {
            switch (type) {
                case COUNTER: {
                    CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
                    points.forEach(p -> b.dataPoint((CounterSnapshot.CounterDataPointSnapshot) p));
                    return b.build();
                }
                case GAUGE: {
                    GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
                    points.forEach(p -> b.dataPoint((GaugeSnapshot.GaugeDataPointSnapshot) p));
                    return b.build();
                }
                default: {
                    HistogramSnapshot.Builder b = HistogramSnapshot.builder().name(name).help(help);
                    points.forEach(p -> b.dataPoint((HistogramSnapshot.HistogramDataPointSnapshot) p));
                    return b.build();
                }
            }
        }
    }

    private final Map<String, Family> families = new LinkedHashMap<>();

    /** A gauge family (created on first use, the same one after). */
    public Family gauge(String name, String help, String... labelNames) {
        return family(Type.GAUGE, name, help, labelNames);
    }

    /** A counter family; {@code name} as exposed, with or without its {@code _total}. */
    public Family counter(String name, String help, String... labelNames) {
        String base = name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
        return family(Type.COUNTER, base, help, labelNames);
    }

    /** A classic histogram family; {@code name} without {@code _bucket}/{@code _count}/{@code _sum}. */
    public Family histogram(String name, String help, String... labelNames) {
        return family(Type.HISTOGRAM, name, help, labelNames);
    }

    private Family family(Type type, String name, String help, String[] labelNames) {
        Family f = families.computeIfAbsent(name, n -> new Family(type, n, help, labelNames));
        if (f.type != type) {
            throw new IllegalArgumentException(name + " is a " + f.type + ", not a " + type);
        }
        return f;
    }

    /** Every family added, in the order they were first named. */
    public MetricSnapshots snapshots() {
        MetricSnapshots.Builder b = MetricSnapshots.builder();
        families.values().forEach(f -> b.metricSnapshot(f.snapshot()));
        return b.build();
    }
}
