package io.marchproxy.node;

import io.marchproxy.dataplane.bpf.L4Program;
import io.marchproxy.dataplane.counter.SingleWriterCounters;
import io.marchproxy.dataplane.proxy.L4Proxy;
import io.marchproxy.dataplane.proxy.ProxyService;
import io.marchproxy.dataplane.proxy.ProxyStatistics;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The node's live view, once a second until stopped: the config version served and how fast changes applied, flows,
 * the XDP program's counters (what it steered, what the access rules dropped in the kernel, what it forwarded itself
 * for offloaded flows), then per service its packets both ways and connections, per backend its connections, what
 * flow offload did, and the dataplane's drops by reason.
 */
final class LiveTable
{
    private LiveTable()
    {
    }

    static void print(final L4Proxy proxy, final L4Dataplane dataplane, final long seconds, final CountDownLatch stop,
        final PrintStream out, final Supplier<String> extra) throws InterruptedException
    {
        final long start = System.nanoTime();
        long lastRx = 0;
        for (long tick = 1; seconds == 0 || tick <= seconds; tick++)
        {
            if (stop.await(start + TimeUnit.SECONDS.toNanos(tick) - System.nanoTime(), TimeUnit.NANOSECONDS))
            {
                return;
            }
            final L4Program p = proxy.program();
            final long rx = p.counter(L4Program.Counter.RX_PACKETS);
            final Histogram h = dataplane.latency().snapshot();
            out.printf("[%5ds] config v%d (%d L4 services; change applied p50 %.1f ms, max %.1f ms) flows %d | xdp rx %d"
                    + " (%d/s) steered %d forwarded %d acl_dropped %d passed %d malformed %d%s%n",
                tick, dataplane.appliedVersion(), dataplane.serviceCount(), h.getValueAtPercentile(50) / 1000.0,
                h.getMaxValue() / 1000.0, proxy.flows(), rx, rx - lastRx, p.counter(L4Program.Counter.REDIRECTED),
                p.counter(L4Program.Counter.FLOW_FORWARDED), p.counter(L4Program.Counter.ACL_DROPPED),
                p.counter(L4Program.Counter.PASSED), p.counter(L4Program.Counter.MALFORMED), extra.get());
            lastRx = rx;
            final ProxyStatistics stats = proxy.statistics();
            for (final ProxyService s : proxy.config().services())
            {
                final StringBuilder backends = new StringBuilder();
                for (int b = 0; b < s.backends().size(); b++)
                {
                    if (s.backends().get(b).enabled())
                    {
                        backends.append(' ').append(s.backends().get(b).address()).append(':')
                            .append(stats.backend(s.index(), b, ProxyStatistics.BackendCounter.FLOWS_OPENED))
                            .append('/').append(stats.backend(s.index(), b, ProxyStatistics.BackendCounter.FLOWS_ACTIVE));
                    }
                }
                out.printf("    %-14s %s:%s/%s  to_backends %d to_clients %d  conns %d open %d  denied %d |"
                        + " backends opened/open%s%n",
                    s.name(), s.vip(), s.ports(), s.protocol().name().toLowerCase(),
                    stats.service(s.index(), ProxyStatistics.ServiceCounter.PACKETS_TO_BACKENDS),
                    stats.service(s.index(), ProxyStatistics.ServiceCounter.PACKETS_TO_CLIENTS),
                    stats.service(s.index(), ProxyStatistics.ServiceCounter.FLOWS_OPENED),
                    stats.service(s.index(), ProxyStatistics.ServiceCounter.FLOWS_ACTIVE),
                    stats.service(s.index(), ProxyStatistics.ServiceCounter.ACCESS_DENIED), backends);
            }
            final String offload = nonZero(proxy.offloadCounters());
            if (!offload.isEmpty())
            {
                out.println("    offload:" + offload);
            }
            final String drops = nonZero(proxy.drops());
            if (!drops.isEmpty())
            {
                out.println("    drops:" + drops);
            }
        }
    }

    private static String nonZero(final SingleWriterCounters c)
    {
        final StringBuilder b = new StringBuilder();
        for (int i = 0; i < c.length(); i++)
        {
            if (c.get(i) != 0)
            {
                b.append(' ').append(c.label(i)).append('=').append(c.get(i));
            }
        }
        return b.toString();
    }
}
