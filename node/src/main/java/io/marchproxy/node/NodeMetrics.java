package io.marchproxy.node;

import io.marchproxy.control.observe.MetricFamilies;
import io.marchproxy.dataplane.balance.Backend;
import io.marchproxy.dataplane.bpf.L4Program;
import io.marchproxy.dataplane.counter.LatencyBuckets;
import io.marchproxy.dataplane.net.IpFamily;
import io.marchproxy.dataplane.packet.DropClass;
import io.marchproxy.dataplane.packet.DropReason;
import io.marchproxy.dataplane.proxy.ApplyStages;
import io.marchproxy.dataplane.proxy.L4Proxy;
import io.marchproxy.dataplane.proxy.OffloadCounter;
import io.marchproxy.dataplane.proxy.ProxySnapshot;
import io.marchproxy.dataplane.proxy.ProxyStatistics.BackendCounter;
import io.marchproxy.dataplane.proxy.ProxyStatistics.ServiceCounter;
import io.marchproxy.dataplane.qos.QosCounter;
import io.marchproxy.dataplane.xsk.XskStatistics;
import io.marchproxy.journal.FlowJournal;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * The dataplane's figures on {@code /observe/metrics}: a collector in the control plane's registry that takes one
 * {@link L4Proxy#snapshot()} per scrape (the dataplane knows no metrics format) and turns it into Prometheus
 * families: per service and backend packets, bytes and flows; drops by stage ({@code xdp}: the kernel program's
 * access-rule drops; {@code xsk}: the sockets' kernel counters; {@code java}: the dataplane thread, every
 * {@link DropReason}, 0 included), class and reason; the XDP program's counters; each socket's figures; the
 * per-packet latency (node-wide and per service) and config-apply latency as classic histograms; the flow journal's
 * records; per direction and priority class what QoS sent, held and dropped and the longest wait; where the dataplane
 * worker runs.
 */
final class NodeMetrics implements MultiCollector
{
    /** Latency histogram bounds, seconds: 1 us to 10 ms. */
    static final double[] PACKET_LATENCY_BOUNDS = {1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3,
        2.5e-3, 5e-3, 1e-2, Double.POSITIVE_INFINITY};
    /** Config-apply histogram bounds, seconds: 1 ms to 10 s. */
    static final double[] APPLY_BOUNDS = {1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
        Double.POSITIVE_INFINITY};
    /** Config-apply stage histogram bounds, seconds: 10 us to 10 s. */
    static final double[] APPLY_STAGE_BOUNDS = {1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2,
        0.1, 1, 10, Double.POSITIVE_INFINITY};

    private final L4Proxy proxy;
    private final L4Dataplane dataplane;
    private final FlowJournal journal;

    /** @param journal null when the node keeps no journal */
    NodeMetrics(final L4Proxy proxy, final L4Dataplane dataplane, final FlowJournal journal)
    {
        this.proxy = proxy;
        this.dataplane = dataplane;
        this.journal = journal;
    }

    @Override
    public MetricSnapshots collect()
    {
        final ProxySnapshot s = proxy.snapshot();
        final MetricFamilies f = new MetricFamilies();
        f.gauge("marchproxy_dataplane_config_version", "Config version the dataplane serves.").add(s.configVersion());
        f.gauge("marchproxy_dataplane_services", "L4 services the dataplane serves.").add(s.services().size());
        f.gauge("marchproxy_dataplane_services_left_out",
            "L4 services of the node's cluster the dataplane cannot serve (the node's log says why).")
            .add(dataplane.leftOut().size());
        f.gauge("marchproxy_dataplane_flows", "Flows tracked now, both address families.").add(s.flows());
        services(f, s);
        drops(f, s);
        final MetricFamilies.Family xdp = f.counter("marchproxy_xdp_events_total",
            "The XDP program's counters, summed over CPUs (rx_packets, redirected, acl_dropped, ...).", "counter");
        for (final L4Program.Counter c : L4Program.Counter.values())
        {
            xdp.add(s.xdp(c), c.name().toLowerCase(Locale.ROOT));
        }
        offload(f, s);
        sockets(f, s);
        qos(f, s);
        f.gauge("marchproxy_dataplane_worker_info",
            "Where the dataplane worker runs: its thread, the CPUs the kernel reports for it, whether it was pinned.",
            "thread", "cpus", "pinned").add(1, s.worker().thread(), s.worker().allowed().toString(),
            Boolean.toString(s.worker().placement().pinned()));
        latency(f.histogram("marchproxy_dataplane_packet_latency_seconds",
            "Per-packet processing time: each frame of a dataplane turn counts the turn's duration, from before the "
                + "frames were taken off the RX ring to after their TX publish."),
            s.latency(), PACKET_LATENCY_BOUNDS, 1e-9);
        latency(f.histogram("marchproxy_dataplane_config_apply_seconds",
            "From a config change's commit in the store to the dataplane serving it."),
            dataplane.latency().snapshot(), APPLY_BOUNDS, 1e-6);
        final MetricFamilies.Family stages = f.histogram("marchproxy_dataplane_config_apply_stage_seconds",
            "Where applying a config change to the L4 proxy goes: compile (its snapshot), links (the backend monitor's "
                + "pass over its backends' MACs), adoption (the dataplane worker's), program (the XDP program's "
                + "generation written and flipped).", "stage");
        for (final ApplyStages.Stage stage : ApplyStages.Stage.values())
        {
            latency(stages, proxy.applyStages().snapshot(stage), APPLY_STAGE_BOUNDS, 1e-6,
                stage.name().toLowerCase(Locale.ROOT));
        }
        if (journal != null)
        {
            f.counter("marchproxy_journal_appended_total", "Flow journal records appended to the queue.")
                .add(journal.appended());
            f.counter("marchproxy_journal_dropped_total",
                "Flow journal records dropped because a dataplane thread's ring was full.")
                .add(journal.droppedRingFull());
        }
        return f.snapshots();
    }

    private static void services(final MetricFamilies f, final ProxySnapshot s)
    {
        final MetricFamilies.Family packets = f.counter("marchproxy_l4_service_packets_total",
            "Packets forwarded per L4 service and direction.", "service", "direction");
        final MetricFamilies.Family bytes = f.counter("marchproxy_l4_service_bytes_total",
            "Bytes forwarded per L4 service and direction (whole frames).", "service", "direction");
        final MetricFamilies.Family opened = f.counter("marchproxy_l4_service_flows_opened_total",
            "Flows (connections) opened per L4 service.", "service");
        final MetricFamilies.Family active = f.gauge("marchproxy_l4_service_flows_active",
            "Flows open now per L4 service.", "service");
        final MetricFamilies.Family denied = f.counter("marchproxy_l4_service_access_denied_total",
            "New flows the access rules denied in the dataplane thread, per L4 service.", "service");
        final MetricFamilies.Family offloaded = f.gauge("marchproxy_l4_service_offload",
            "1 when the XDP program forwards the L4 service's decided flows itself (flow offload), 0 when every frame "
                + "of the service takes the Java path (its offload switched off, a QoS policy, or --offload-flows 0).",
            "service");
        final MetricFamilies.Family revoked = f.counter("marchproxy_l4_service_flows_revoked_total",
            "Open flows closed because the access rules stopped admitting them, per L4 service.", "service");
        final MetricFamilies.Family icmp = f.counter("marchproxy_l4_service_icmp_errors_total",
            "ICMP errors about a flow translated and forwarded, per L4 service.", "service");
        final MetricFamilies.Family backendPackets = f.counter("marchproxy_l4_backend_packets_total",
            "Packets forwarded per backend, both directions.", "service", "backend");
        final MetricFamilies.Family backendBytes = f.counter("marchproxy_l4_backend_bytes_total",
            "Bytes forwarded per backend, both directions.", "service", "backend");
        final MetricFamilies.Family backendOpened = f.counter("marchproxy_l4_backend_flows_opened_total",
            "Flows opened per backend.", "service", "backend");
        final MetricFamilies.Family backendActive = f.gauge("marchproxy_l4_backend_flows_active",
            "Flows open now per backend.", "service", "backend");
        final MetricFamilies.Family latency = f.histogram("marchproxy_l4_service_packet_latency_seconds",
            "Per-packet processing time per L4 service: each frame forwarded for the service counts the duration of "
                + "its dataplane turn (as marchproxy_dataplane_packet_latency_seconds does), from the service's own "
                + "distribution of four buckets per power of two, the counts at each bound interpolated within its "
                + "bucket.", "service");
        for (final ProxySnapshot.ServiceFigures sf : s.services())
        {
            final String name = sf.service().name();
            packets.add(sf.get(ServiceCounter.PACKETS_TO_BACKENDS), name, "to_backends");
            packets.add(sf.get(ServiceCounter.PACKETS_TO_CLIENTS), name, "to_clients");
            bytes.add(sf.get(ServiceCounter.BYTES_TO_BACKENDS), name, "to_backends");
            bytes.add(sf.get(ServiceCounter.BYTES_TO_CLIENTS), name, "to_clients");
            opened.add(sf.get(ServiceCounter.FLOWS_OPENED), name);
            active.add(sf.get(ServiceCounter.FLOWS_ACTIVE), name);
            denied.add(sf.get(ServiceCounter.ACCESS_DENIED), name);
            icmp.add(sf.get(ServiceCounter.ICMP_ERRORS), name);
            revoked.add(sf.get(ServiceCounter.FLOWS_REVOKED), name);
            offloaded.add(sf.offloaded() ? 1 : 0, name);
            serviceLatency(latency, sf.latency(), name);
            for (final ProxySnapshot.BackendFigures b : sf.backends())
            {
                final String backend = endpoint(b.backend());
                backendPackets.add(b.get(BackendCounter.PACKETS), name, backend);
                backendBytes.add(b.get(BackendCounter.BYTES), name, backend);
                backendOpened.add(b.get(BackendCounter.FLOWS_OPENED), name, backend);
                backendActive.add(b.get(BackendCounter.FLOWS_ACTIVE), name, backend);
            }
        }
    }

    /**
     * What flow offload did: flows offloaded, refused for want of room (they stay on the Java path: not drops),
     * handed back, invalidated, closed, stray frames; and the flows offloaded now.
     */
    private static void offload(final MetricFamilies f, final ProxySnapshot s)
    {
        final MetricFamilies.Family events = f.counter("marchproxy_l4_offload_events_total",
            "Flow offload to the XDP program: offloaded, failed_full (no room: the flow stays on the Java path), "
                + "handed_back (SYN/FIN/RST), invalidated (its decision changed), closed, stray_frames.", "event");
        for (final OffloadCounter c : OffloadCounter.values())
        {
            if (c != OffloadCounter.ACTIVE)
            {
                events.add(s.offload(c), c.name().toLowerCase(Locale.ROOT));
            }
        }
        f.gauge("marchproxy_l4_offload_flows_active", "Flows the XDP program forwards itself now.")
            .add(s.offload(OffloadCounter.ACTIVE));
    }

    private static void drops(final MetricFamilies f, final ProxySnapshot s)
    {
        final MetricFamilies.Family drops = f.counter("marchproxy_l4_drops_total",
            "Frames the node dropped, by stage (xdp: the kernel program; xsk: an AF_XDP socket in the kernel; java: "
                + "the dataplane thread), class and reason.", "stage", "class", "reason");
        drops.add(s.xdp(L4Program.Counter.ACL_DROPPED), "xdp", label(DropClass.ACCESS), "access_denied");
        long ringFull = 0;
        long socketDropped = 0;
        for (final ProxySnapshot.SocketFigures so : s.sockets())
        {
            if (so.kernel() != null)
            {
                ringFull += positive(so.kernel().rxRingFull());
                socketDropped += positive(so.kernel().rxDropped());
            }
        }
        drops.add(ringFull, "xsk", label(DropClass.RING_FULL), "rx_ring_full");
        drops.add(socketDropped, "xsk", label(DropClass.EXHAUSTED), "rx_dropped");
        for (final DropReason r : DropReason.values())
        {
            drops.add(s.drops(r), "java", label(r.dropClass()), r.name().toLowerCase(Locale.ROOT));
        }
    }

    /** A kernel counter of a socket ({@code XDP_STATISTICS}) as a metric. */
    private record KernelCounter(String name, String help, ToLongFunction<XskStatistics> value)
    {
    }

    private static final List<KernelCounter> KERNEL_COUNTERS = List.of(
        new KernelCounter("marchproxy_xsk_rx_dropped_total",
            "XDP_STATISTICS rx_dropped: frames the kernel dropped for the socket for other reasons.",
            XskStatistics::rxDropped),
        new KernelCounter("marchproxy_xsk_rx_ring_full_total",
            "XDP_STATISTICS rx_ring_full: frames dropped because the socket's RX ring was full.",
            XskStatistics::rxRingFull),
        new KernelCounter("marchproxy_xsk_rx_fill_ring_empty_total",
            "XDP_STATISTICS rx_fill_ring_empty_descs: times a frame found the fill ring empty.",
            XskStatistics::rxFillRingEmpty),
        new KernelCounter("marchproxy_xsk_rx_invalid_descriptors_total", "XDP_STATISTICS rx_invalid_descs.",
            XskStatistics::rxInvalidDescriptors),
        new KernelCounter("marchproxy_xsk_tx_invalid_descriptors_total", "XDP_STATISTICS tx_invalid_descs.",
            XskStatistics::txInvalidDescriptors),
        new KernelCounter("marchproxy_xsk_tx_ring_empty_total",
            "XDP_STATISTICS tx_ring_empty_descs: times the kernel found the TX ring empty when woken.",
            XskStatistics::txRingEmpty));

    private static void sockets(final MetricFamilies f, final ProxySnapshot s)
    {
        final String[] labels = {"interface", "queue"};
        final MetricFamilies.Family rx = f.counter("marchproxy_xsk_rx_packets_total",
            "Frames the dataplane took off an AF_XDP socket's RX ring.", labels);
        final MetricFamilies.Family tx = f.counter("marchproxy_xsk_tx_packets_total",
            "Frames the dataplane put on an AF_XDP socket's TX ring.", labels);
        for (final KernelCounter k : KERNEL_COUNTERS)
        {
            f.counter(k.name(), k.help(), labels);
        }
        for (final ProxySnapshot.SocketFigures so : s.sockets())
        {
            final String name = so.interfaceName();
            final String queue = Integer.toString(so.queue());
            rx.add(so.rxPackets(), name, queue);
            tx.add(so.txPackets(), name, queue);
            if (so.kernel() != null)
            {
                for (final KernelCounter k : KERNEL_COUNTERS)
                {
                    f.counter(k.name(), k.help(), labels).add(positive(k.value().applyAsLong(so.kernel())), name,
                        queue);
                }
            }
        }
    }

    /** Per direction and priority class, what the QoS egress schedulers sent, held and dropped (none when QoS is off). */
    private static void qos(final MetricFamilies f, final ProxySnapshot s)
    {
        final String[] labels = {"direction", "class"};
        final MetricFamilies.Family sent = f.counter("marchproxy_qos_sent_packets_total",
            "Frames a QoS egress scheduler put on the TX ring, by direction and priority class.", labels);
        final MetricFamilies.Family sentBytes = f.counter("marchproxy_qos_sent_bytes_total",
            "Their bytes.", labels);
        final MetricFamilies.Family held = f.counter("marchproxy_qos_held_packets_total",
            "Frames that waited: in the class's queue for the link, or in the shaper for their service's tokens.",
            "direction", "class", "where");
        final MetricFamilies.Family dropped = f.counter("marchproxy_qos_dropped_packets_total",
            "Frames QoS dropped: their queue or the shaper full, or they would have waited past their delay bound.",
            "direction", "class", "reason");
        final MetricFamilies.Family delayMax = f.gauge("marchproxy_qos_delay_max_seconds",
            "The longest time a sent frame waited in the node's QoS (shaper and queue).", labels);
        for (final ProxySnapshot.ClassFigures c : s.qos())
        {
            final String direction = c.toBackends() ? "to_backends" : "to_clients";
            final String cls = c.priority().name();
            sent.add(c.get(QosCounter.SENT), direction, cls);
            sentBytes.add(c.get(QosCounter.SENT_BYTES), direction, cls);
            held.add(c.get(QosCounter.QUEUED), direction, cls, "queue");
            held.add(c.get(QosCounter.SHAPED), direction, cls, "shaper");
            dropped.add(c.get(QosCounter.DROPPED_QUEUE_FULL), direction, cls, "queue_full");
            dropped.add(c.get(QosCounter.DROPPED_DELAY), direction, cls, "delay");
            delayMax.add(c.get(QosCounter.DELAY_MAX_NANOS) / 1e9, direction, cls);
        }
    }

    /** A classic histogram from an HdrHistogram of values in {@code unit} seconds, with {@code labels}' values. */
    private static void latency(final MetricFamilies.Family family, final Histogram h, final double[] bounds,
        final double unit, final String... labels)
    {
        final long[] cumulative = new long[bounds.length];
        for (int i = 0; i < bounds.length; i++)
        {
            cumulative[i] = Double.isInfinite(bounds[i]) ? h.getTotalCount()
                : h.getCountBetweenValues(0, (long)Math.floor(bounds[i] / unit));
        }
        family.addHistogram(bounds, cumulative, h.getMean() * h.getTotalCount() * unit, labels);
    }

    /** A service's latency distribution as a classic histogram on {@link #PACKET_LATENCY_BOUNDS}. */
    private static void serviceLatency(final MetricFamilies.Family family, final LatencyBuckets.Snapshot latency,
        final String service)
    {
        final long[] cumulative = new long[PACKET_LATENCY_BOUNDS.length];
        final long total = latency.count();
        for (int i = 0; i < cumulative.length; i++)
        {
            final double bound = PACKET_LATENCY_BOUNDS[i];
            cumulative[i] = Double.isInfinite(bound) ? total : latency.countAtOrBelow(Math.round(bound * 1e9));
        }
        family.addHistogram(PACKET_LATENCY_BOUNDS, cumulative, latency.sumNanos() * 1e-9, service);
    }

    /** {@code address:port}, an IPv6 address in brackets. */
    static String endpoint(final Backend b)
    {
        return (b.address().family() == IpFamily.IPV6 ? "[" + b.address() + "]" : b.address().toString()) + ":"
            + b.port();
    }

    private static String label(final DropClass c)
    {
        return c.name().toLowerCase(Locale.ROOT);
    }

    /** The kernel reports -1 for a field its struct lacks. */
    private static long positive(final long v)
    {
        return Math.max(0, v);
    }
}
