package io.marchproxy.node.stats;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Prometheus text as client_java writes it (labels with escapes, histograms' buckets, {@code +Inf}), rates between
 * two scrapes, and latency quantiles over the interval interpolated within buckets as {@code histogram_quantile} does.
 */
class StatsViewTest
{
    private static String exposition(final long packets, final long opened, final long drops, final long[] buckets)
    {
        final double[] bounds = {0.00001, 0.0001, 0.001};
        final StringBuilder latency = new StringBuilder();
        for (int i = 0; i < bounds.length; i++)
        {
            latency.append("marchproxy_dataplane_packet_latency_seconds_bucket{le=\"").append(bounds[i]).append("\"} ")
                .append(buckets[i]).append('\n');
        }
        latency.append("marchproxy_dataplane_packet_latency_seconds_bucket{le=\"+Inf\"} ").append(buckets[3])
            .append('\n');
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
        final MetricsScrape before = MetricsScrape.parse(exposition(100, 10, 1, new long[] {0, 0, 0, 0}));
        final MetricsScrape now = MetricsScrape.parse(exposition(300, 30, 5, new long[] {0, 100, 100, 100}));
        assertEquals("web \"a\"", now.named("marchproxy_l4_service_flows_active").getFirst().label("service"));
        final String view = StatsView.render(before, now, 2.0);
        assertTrue(view.startsWith("config v7 (1 L4 services) flows 3 | latency p50 55.0 us p99 99.1 us | xdp rx 600 "
            + "(200.0/s)"), view);
        // packets both ways: (600 - 200) / 2 s; opened (30 - 10) / 2 s
        assertTrue(view.contains("    web \"a\"               200.0          600       10.0        3         30"
            + "        0\n"), view);
        assertTrue(view.contains("drops: java/no_backend=5 (2.0/s)\n"), view);

        final String first = StatsView.render(null, now, 0);
        assertTrue(first.contains("    web \"a\"                   -          600          -"), first);
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
