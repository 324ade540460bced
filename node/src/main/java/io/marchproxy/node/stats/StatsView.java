package io.marchproxy.node.stats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A node's figures as the live table shows them, from two scrapes of its {@code /observe/metrics} taken
 * {@code seconds} apart: the configuration version, flows, the per-packet latency's p50/p99 over the interval (all
 * services together), the XDP program's frames, then one line per L4 service (packets a second and in total both ways,
 * flows opened a second, open now and in total, denied, the service's own per-packet latency p50/p99 over the
 * interval, and whether its flows are offloaded to the XDP program) and the drops by stage and reason (a second and in
 * total, those not zero).
 */
public final class StatsView
{
    private static final String PACKETS = "marchproxy_l4_service_packets_total";
    private static final String OPENED = "marchproxy_l4_service_flows_opened_total";
    private static final String ACTIVE = "marchproxy_l4_service_flows_active";
    private static final String DENIED = "marchproxy_l4_service_access_denied_total";
    private static final String DROPS = "marchproxy_l4_drops_total";
    private static final String LATENCY = "marchproxy_dataplane_packet_latency_seconds_bucket";
    private static final String SERVICE_LATENCY = "marchproxy_l4_service_packet_latency_seconds_bucket";
    private static final String XDP = "marchproxy_xdp_events_total";
    private static final String OFFLOAD = "marchproxy_l4_service_offload";

    private StatsView()
    {
    }

    /**
     * {@return the view of {@code now}, with rates against {@code before} (null: the first scrape, no rates yet)}
     *
     * @param before  the previous scrape, or null
     * @param now     this scrape
     * @param seconds seconds between the two
     */
    public static String render(final MetricsScrape before, final MetricsScrape now, final double seconds)
    {
        if (now.named("marchproxy_dataplane_config_version").isEmpty())
        {
            return "no dataplane figures: the address answers, but runs no MarchProxy dataplane (a control plane "
                + "alone?)\n";
        }
        final StringBuilder out = new StringBuilder();
        final double[] latency = latency(before, now);
        out.append(String.format(Locale.ROOT, "config v%.0f (%.0f L4 services) flows %.0f | latency p50 %s p99 %s | "
                + "xdp rx %.0f (%s/s) steered %.0f acl_dropped %.0f passed %.0f malformed %.0f%n",
            now.sum("marchproxy_dataplane_config_version"), now.sum("marchproxy_dataplane_services"),
            now.sum("marchproxy_dataplane_flows"), micros(latency[0]), micros(latency[1]),
            now.sum(XDP, "counter", "rx_packets"), rate(before, now, seconds, XDP, "counter", "rx_packets"),
            now.sum(XDP, "counter", "redirected"), now.sum(XDP, "counter", "acl_dropped"),
            now.sum(XDP, "counter", "passed"), now.sum(XDP, "counter", "malformed")));
        out.append(String.format(Locale.ROOT, "    %-16s %10s %12s %10s %8s %10s %8s %10s %10s %8s%n", "service",
            "pkt/s", "packets", "opened/s", "open", "opened", "denied", "p50", "p99", "offload"));
        for (final String service : services(now))
        {
            final double[] own = latency(before, now, SERVICE_LATENCY, service);
            out.append(String.format(Locale.ROOT, "    %-16s %10s %12.0f %10s %8.0f %10.0f %8.0f %10s %10s %8s%n",
                service,
                rate(before, now, seconds, PACKETS, "service", service), now.sum(PACKETS, "service", service),
                rate(before, now, seconds, OPENED, "service", service), now.sum(ACTIVE, "service", service),
                now.sum(OPENED, "service", service), now.sum(DENIED, "service", service), micros(own[0]),
                micros(own[1]), offload(now, service)));
        }
        final StringBuilder drops = new StringBuilder();
        for (final MetricsScrape.Sample d : now.named(DROPS))
        {
            if (d.value() != 0)
            {
                final String stage = d.label("stage");
                final String reason = d.label("reason");
                drops.append(String.format(Locale.ROOT, " %s/%s=%.0f (%s/s)", stage, reason, d.value(),
                    rate(before, now, seconds, DROPS, "stage", stage, "reason", reason)));
            }
        }
        out.append("    drops:").append(drops.isEmpty() ? " none" : drops).append('\n');
        return out.toString();
    }

    /** The services of {@code now}, in the order their samples come. */
    private static List<String> services(final MetricsScrape now)
    {
        final Map<String, Boolean> names = new LinkedHashMap<>();
        for (final MetricsScrape.Sample s : now.named(OPENED))
        {
            names.put(s.label("service"), Boolean.TRUE);
        }
        return new ArrayList<>(names.keySet());
    }

    /** {@code on} or {@code off} as the service's offload gauge says; {@code -} from a node that has none. */
    private static String offload(final MetricsScrape now, final String service)
    {
        for (final MetricsScrape.Sample s : now.named(OFFLOAD))
        {
            if (service.equals(s.label("service")))
            {
                return s.value() != 0 ? "on" : "off";
            }
        }
        return "-";
    }

    private static String rate(final MetricsScrape before, final MetricsScrape now, final double seconds,
        final String name, final String... labels)
    {
        if (before == null || seconds <= 0)
        {
            return "-";
        }
        final double delta = now.sum(name, labels) - before.sum(name, labels);
        return String.format(Locale.ROOT, "%.1f", Math.max(0, delta) / seconds);
    }

    /**
     * p50 and p99 in seconds of the latency recorded between the scrapes (all of it when nothing was recorded
     * between them or there is no earlier scrape), from the histogram's cumulative buckets, interpolated linearly
     * within a bucket as Prometheus's {@code histogram_quantile} does; NaN when nothing was recorded at all.
     */
    static double[] latency(final MetricsScrape before, final MetricsScrape now)
    {
        return latency(before, now, LATENCY, null);
    }

    /**
     * As {@link #latency(MetricsScrape, MetricsScrape)}, of the buckets named {@code bucketName}, those of
     * {@code service} only (null: all of them).
     */
    static double[] latency(final MetricsScrape before, final MetricsScrape now, final String bucketName,
        final String service)
    {
        final TreeMap<Double, Double> buckets = buckets(now, bucketName, service);
        if (before != null)
        {
            final TreeMap<Double, Double> earlier = buckets(before, bucketName, service);
            final TreeMap<Double, Double> delta = new TreeMap<>();
            buckets.forEach((le, count) -> delta.put(le, count - earlier.getOrDefault(le, 0.0)));
            if (!delta.isEmpty() && delta.lastEntry().getValue() > 0)
            {
                return new double[] {quantile(delta, 0.50), quantile(delta, 0.99)};
            }
        }
        return new double[] {quantile(buckets, 0.50), quantile(buckets, 0.99)};
    }

    private static TreeMap<Double, Double> buckets(final MetricsScrape scrape, final String bucketName,
        final String service)
    {
        final TreeMap<Double, Double> buckets = new TreeMap<>();
        for (final MetricsScrape.Sample s : scrape.named(bucketName))
        {
            final String le = s.label("le");
            if (le != null && (service == null || service.equals(s.label("service"))))
            {
                buckets.merge("+Inf".equals(le) ? Double.POSITIVE_INFINITY : Double.parseDouble(le), s.value(),
                    Double::sum);
            }
        }
        return buckets;
    }

    private static double quantile(final TreeMap<Double, Double> cumulative, final double q)
    {
        if (cumulative.isEmpty() || cumulative.lastEntry().getValue() <= 0)
        {
            return Double.NaN;
        }
        final double rank = q * cumulative.lastEntry().getValue();
        double lower = 0;
        double below = 0;
        for (final Map.Entry<Double, Double> b : cumulative.entrySet())
        {
            if (b.getValue() >= rank)
            {
                if (b.getKey().isInfinite())
                {
                    return lower; // beyond the highest finite bound: say that bound, as histogram_quantile does
                }
                final double inBucket = b.getValue() - below;
                return inBucket <= 0 ? b.getKey() : lower + (b.getKey() - lower) * (rank - below) / inBucket;
            }
            lower = b.getKey();
            below = b.getValue();
        }
        return lower;
    }

    private static String micros(final double seconds)
    {
        return Double.isNaN(seconds) ? "-" : String.format(Locale.ROOT, "%.1f us", seconds * 1e6);
    }
}
