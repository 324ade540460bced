package io.marchproxy.node;

import io.marchproxy.dataplane.bpf.L4Program;
import io.marchproxy.dataplane.counter.LatencyBuckets;
import io.marchproxy.dataplane.packet.DropReason;
import io.marchproxy.dataplane.proxy.L4Proxy;
import io.marchproxy.dataplane.proxy.OffloadCounter;
import io.marchproxy.dataplane.proxy.ProxyService;
import io.marchproxy.dataplane.proxy.ProxySnapshot;
import io.marchproxy.dataplane.proxy.ProxyStatistics.BackendCounter;
import io.marchproxy.dataplane.proxy.ProxyStatistics.ServiceCounter;
import io.marchproxy.dataplane.qos.QosCounter;
import io.marchproxy.journal.FlowJournal;
import io.marchproxy.lab.L4Lab;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A node's or an agent's live view, once a second until stopped, from one
 * {@link io.marchproxy.dataplane.proxy.L4Proxy#snapshot()} a line: the config version served and how fast changes
 * applied, flows, per-packet latency p50/p99 (over the last second when there was traffic, else since the start), the
 * CPUs the dataplane worker runs on, the XDP program's counters (what it steered, what it forwarded itself for
 * offloaded flows, what the access rules dropped in the kernel), the flow journal's records; then per service whether
 * its flows are offloaded, its packets and bytes both ways (offloaded flows' included), rates, connections, its own
 * per-packet latency p50/p99 (over the last second when it had traffic, else since it appeared), and per backend its
 * connections; per priority class what was sent, dropped and the longest wait (both directions, when QoS is on); what
 * flow offload did; and the drops by reason.
 */
public final class LiveTable
{
    private LiveTable()
    {
    }

    /**
     * Prints the table once a second for {@code seconds} (0: until {@code stop} opens); with a {@code lab} (or null),
     * sends lab traffic through the proxy meanwhile ({@code rate} requests a second) and shows what answered it.
     *
     * @param applied how long changes took to apply
     * @param journal the flow journal, or null when there is none
     */
    public static void show(final L4Proxy proxy, final ApplyLatency applied, final FlowJournal journal,
        final long seconds, final CountDownLatch stop, final PrintStream out, final L4Lab lab, final int rate)
        throws InterruptedException
    {
        if (lab == null)
        {
            print(proxy, applied, journal, seconds, stop, out, () -> "");
            return;
        }
        try (LabTraffic traffic = new LabTraffic(lab, rate))
        {
            print(proxy, applied, journal, seconds, stop, out, () -> " | lab answers " + traffic.answers() + " failed "
                + traffic.failures());
        }
    }

    private static void print(final L4Proxy proxy, final ApplyLatency applied, final FlowJournal journal,
        final long seconds, final CountDownLatch stop, final PrintStream out, final Supplier<String> extra)
        throws InterruptedException
    {
        final long start = System.nanoTime();
        long lastRx = 0;
        Histogram lastLatency = null;
        long[] lastPackets = new long[0];
        Map<Integer, LatencyBuckets.Snapshot> lastServiceLatency = Map.of();
        for (long tick = 1; seconds == 0 || tick <= seconds; tick++)
        {
            if (stop.await(start + TimeUnit.SECONDS.toNanos(tick) - System.nanoTime(), TimeUnit.NANOSECONDS))
            {
                return;
            }
            final ProxySnapshot s = proxy.snapshot();
            final Histogram apply = applied.snapshot();
            final Histogram latency = s.latency();
            final Histogram second = latency.copy();
            if (lastLatency != null)
            {
                second.subtract(lastLatency);
            }
            final Histogram shown = second.getTotalCount() > 0 ? second : latency;
            lastLatency = latency;
            final long rx = s.xdp(L4Program.Counter.RX_PACKETS);
            out.printf("[%5ds] config v%d (%d L4 services; change applied p50 %.1f ms, max %.1f ms) flows %d | latency "
                    + "p50 %.1f us p99 %.1f us | worker CPUs %s | xdp rx %d (%d/s) steered %d forwarded %d acl_dropped %d"
                    + " passed %d malformed %d | journal %s%s%n",
                tick, s.configVersion(), s.services().size(), apply.getValueAtPercentile(50) / 1000.0,
                apply.getMaxValue() / 1000.0, s.flows(), shown.getValueAtPercentile(50) / 1000.0,
                shown.getValueAtPercentile(99) / 1000.0, s.worker().allowed(), rx, rx - lastRx,
                s.xdp(L4Program.Counter.REDIRECTED), s.xdp(L4Program.Counter.FLOW_FORWARDED),
                s.xdp(L4Program.Counter.ACL_DROPPED), s.xdp(L4Program.Counter.PASSED),
                s.xdp(L4Program.Counter.MALFORMED),
                journal == null ? "off" : journal.appended() + " records, " + journal.droppedRingFull() + " dropped",
                extra.get());
            lastRx = rx;
            final long[] packets = new long[s.services().size()];
            final Map<Integer, LatencyBuckets.Snapshot> serviceLatency = new HashMap<>();
            for (int i = 0; i < packets.length; i++)
            {
                final ProxySnapshot.ServiceFigures sf = s.services().get(i);
                final ProxyService service = sf.service();
                serviceLatency.put(service.index(), sf.latency());
                final LatencyBuckets.Snapshot earlier = lastServiceLatency.get(service.index());
                final LatencyBuckets.Snapshot lastSecond = earlier == null ? sf.latency() : sf.latency().since(earlier);
                final LatencyBuckets.Snapshot own = lastSecond.count() > 0 ? lastSecond : sf.latency();
                packets[i] = sf.get(ServiceCounter.PACKETS_TO_BACKENDS) + sf.get(ServiceCounter.PACKETS_TO_CLIENTS);
                final StringBuilder backends = new StringBuilder();
                for (final ProxySnapshot.BackendFigures b : sf.backends())
                {
                    if (b.backend().enabled())
                    {
                        backends.append(' ').append(b.backend().address()).append(':')
                            .append(b.get(BackendCounter.FLOWS_OPENED)).append('/')
                            .append(b.get(BackendCounter.FLOWS_ACTIVE));
                    }
                }
                out.printf("    %-14s %s:%s/%s offload %s  pkts %d/%d bytes %d/%d (%d pkt/s)  conns %d open %d  denied"
                        + " %d | latency p50 %.1f us p99 %.1f us | backends opened/open%s%n",
                    service.name(), service.vip(), service.ports(), service.protocol().name().toLowerCase(),
                    sf.offloaded() ? "on" : "off",
                    sf.get(ServiceCounter.PACKETS_TO_BACKENDS), sf.get(ServiceCounter.PACKETS_TO_CLIENTS),
                    sf.get(ServiceCounter.BYTES_TO_BACKENDS), sf.get(ServiceCounter.BYTES_TO_CLIENTS),
                    packets[i] - (i < lastPackets.length ? lastPackets[i] : 0),
                    sf.get(ServiceCounter.FLOWS_OPENED), sf.get(ServiceCounter.FLOWS_ACTIVE),
                    sf.get(ServiceCounter.ACCESS_DENIED), own.valueAtQuantile(0.5) / 1000.0,
                    own.valueAtQuantile(0.99) / 1000.0, backends);
            }
            lastPackets = packets;
            lastServiceLatency = serviceLatency;
            if (!s.qos().isEmpty())
            {
                out.println("    qos sent/dropped, longest wait: to_backends" + classes(s, true) + " | to_clients"
                    + classes(s, false));
            }
            final String offload = offload(s);
            if (!offload.isEmpty())
            {
                out.println("    offload:" + offload);
            }
            final String drops = drops(s);
            if (!drops.isEmpty())
            {
                out.println("    drops:" + drops);
            }
        }
    }

    /** What flow offload counted in {@code s}, the counters that are not zero as {@code " NAME=n"}; empty if none. */
    static String offload(final ProxySnapshot s)
    {
        final StringBuilder offload = new StringBuilder();
        for (final OffloadCounter c : OffloadCounter.values())
        {
            if (s.offload(c) != 0)
            {
                offload.append(' ').append(c.name()).append('=').append(s.offload(c));
            }
        }
        return offload.toString();
    }

    /** Per class with traffic on one egress: sent/dropped and the longest wait in ms. */
    private static String classes(final ProxySnapshot s, final boolean toBackends)
    {
        final StringBuilder b = new StringBuilder();
        for (final ProxySnapshot.ClassFigures c : s.qos())
        {
            final long sent = c.get(QosCounter.SENT);
            final long dropped = c.get(QosCounter.DROPPED_DELAY) + c.get(QosCounter.DROPPED_QUEUE_FULL);
            if (c.toBackends() == toBackends && sent + dropped > 0)
            {
                b.append(String.format(" %s %d/%d %.1fms", c.priority(), sent, dropped,
                    c.get(QosCounter.DELAY_MAX_NANOS) / 1e6));
            }
        }
        return b.isEmpty() ? " -" : b.toString();
    }

    /** The drops of {@code s} that are not zero, as {@code " REASON=n"} each; empty when there are none. */
    public static String drops(final ProxySnapshot s)
    {
        final StringBuilder drops = new StringBuilder();
        for (final DropReason r : DropReason.values())
        {
            if (s.drops(r) != 0)
            {
                drops.append(' ').append(r.name()).append('=').append(s.drops(r));
            }
        }
        return drops.toString();
    }
}
