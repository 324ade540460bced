package io.marchproxy.node.stats;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Prometheus text as client_java writes it (labels with escapes, histograms' buckets, {@code +Inf}), rates between
 * two scrapes, and latency quantiles over the interval interpolated within buckets as {@code histogram_quantile} does,
 * node-wide and per service from the service's own histogram.
 */
class StatsViewTest
{
    private static final String OFFLOADED = "marchproxy_l4_service_offload{service=\"web \\\"a\\\"\"} %d\n";

    /**
     * With {@code serviceBuckets}: the cumulative buckets of service {@code web "a"}'s own latency, and its offload
     * gauge at 1.
     */
    private static String exposition(final long packets, final long opened, final long drops, final long[] buckets,
        final long[] serviceBuckets)
    {
        return exposition(packets, opened, drops, buckets) + OFFLOADED.formatted(1)
            + histogram("marchproxy_l4_service_packet_latency_seconds_bucket{service=\"web \\\"a\\\"\",",
                serviceBuckets);
    }

    /** Cumulative buckets at 10 us, 100 us, 1 ms and +Inf, named {@code prefix} + the {@code le} label. */
    private static String histogram(final String prefix, final long[] buckets)
    {
        final String[] bounds = {"1.0E-5", "1.0E-4", "0.001", "+Inf"};
        final StringBuilder latency = new StringBuilder();
        for (int i = 0; i < bounds.length; i++)
        {
            latency.append(prefix).append("le=\"").append(bounds[i]).append("\"} ").append(buckets[i]).append('\n');
        }
        return latency.toString();
    }

    private static String exposition(final long packets, final long opened, final long drops, final long[] buckets)
    {
        final String latency = histogram("marchproxy_dataplane_packet_latency_seconds_bucket{", buckets);
        return """
            # HELP marchproxy_dataplane_config_version Config version the dataplane serves.
            # TYPE marchproxy_dataplane_config_version gauge
            marchproxy_dataplane_config_version 7.0
            marchproxy_dataplane_services 1.0
            marchproxy_dataplane_flows 3.0
            marchproxy_xdp_events_total{counter="rx_packets"} %d
            marchproxy_l4_service_packets_total{direction="to_backends",service="web \\"a\\""} %d
            marchproxy_l4_service_packets_total{direction="to_clients",service="web \\"a\\""} %d
            marchproxy_l4_service_flows_opened_total{service="web \\"a\\""} %d
            marchproxy_l4_service_flows_active{service="web \\"a\\""} 3
            marchproxy_l4_service_access_denied_total{service="web \\"a\\""} 0
            marchproxy_l4_drops_total{class="no_backend",reason="no_backend",stage="java"} %d
            marchproxy_l4_drops_total{class="malformed",reason="malformed",stage="java"} 0
            """.formatted(packets * 2, packets, packets, opened, drops) + latency;
    }

    @Test
    void ratesAndTotalsOfTwoScrapes()
    {
        final MetricsScrape before = MetricsScrape.parse(exposition(100, 10, 1, new long[] {0, 0, 0, 0},
            new long[] {10, 10, 10, 10}));
        final MetricsScrape now = MetricsScrape.parse(exposition(300, 30, 5, new long[] {0, 100, 100, 100},
            new long[] {60, 110, 110, 110}));
        assertEquals("web \"a\"", now.named("marchproxy_l4_service_flows_active").getFirst().label("service"));
        final String view = StatsView.render(before, now, 2.0);
        assertTrue(view.startsWith("config v7 (1 L4 services) flows 3 | latency p50 55.0 us p99 99.1 us | xdp rx 600 "
            + "(200.0/s)"), view);
        // packets both ways: (600 - 200) / 2 s; opened (30 - 10) / 2 s; the service's own latency over the interval:
        // 50 values up to 10 us and 50 between 10 and 100 us: p50 10 us, p99 10 + 90 * 49/50 us
        assertTrue(view.contains("    web \"a\"               200.0          600       10.0        3         30"
            + "        0    10.0 us    98.2 us       on\n"), view);
        assertTrue(view.contains("drops: java/no_backend=5 (2.0/s)\n"), view);

        // no earlier scrape: all of it (60 of 110 up to 10 us)
        final String first = StatsView.render(null, now, 0);
        assertTrue(first.contains("    web \"a\"                   -          600          -"), first);
        assertTrue(first.contains("        0     9.2 us    98.0 us       on\n"), first);
    }

    @Test
    void aServiceWithoutItsOwnLatencyShowsNone()
    {
        final MetricsScrape older = MetricsScrape.parse(exposition(300, 30, 5, new long[] {0, 100, 100, 100}));
        final String view = StatsView.render(null, older, 0);
        assertTrue(view.contains("latency p50 55.0 us"), view);
        assertTrue(view.contains("        0          -          -        -\n"),
            "a node without per-service latency or offload gauge:\n" + view);
    }

    @Test
    void aServiceWhoseFlowsStayOnTheJavaPathShowsOffloadOff()
    {
        final MetricsScrape kept = MetricsScrape.parse(exposition(300, 30, 5, new long[] {0, 100, 100, 100})
            + OFFLOADED.formatted(0));
        final String view = StatsView.render(null, kept, 0);
        assertTrue(view.contains(" p99  offload\n"), view);
        assertTrue(view.contains("        0          -          -      off\n"), view);
    }

    @Test
    void latencyIsTheIntervalsWhenSomethingWasRecordedElseAllOfIt()
    {
        final MetricsScrape before = MetricsScrape.parse(exposition(0, 0, 0, new long[] {100, 100, 100, 100}));
        final MetricsScrape after = MetricsScrape.parse(exposition(0, 0, 0, new long[] {100, 100, 200, 200}));
        final double[] interval = StatsView.latency(before, after);
        assertEquals(0.0001 + 0.0009 * 0.5, interval[0], 1e-12, "p50 of the 100 values between the scrapes");
        final double[] all = StatsView.latency(after, after);
        assertEquals(0.00001, all[0], 1e-12, "nothing new: all of it, whose p50 is in the first bucket");
        assertTrue(Double.isNaN(StatsView.latency(null, MetricsScrape.parse(exposition(0, 0, 0,
            new long[] {0, 0, 0, 0})))[0]), "nothing recorded");
    }

    @Test
    void aLineThatIsNotASampleIsRefused()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MetricsScrape.parse("metric{a=\"x\" 1\n"))
            .getMessage().contains("metric{a=\"x\" 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MetricsScrape.parse("metric one\n"))
            .getMessage().contains("metric one"));
        assertTrue(StatsView.render(null, MetricsScrape.parse("jvm_threads 3\n"), 0).startsWith("no dataplane"));
    }
}
