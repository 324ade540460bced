package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.acl.AccessAction;
import io.marchproxy.dataplane.acl.AccessRule;
import io.marchproxy.dataplane.balance.Backend;
import io.marchproxy.dataplane.balance.BalancingAlgorithm;
import io.marchproxy.dataplane.bpf.L4Program;
import io.marchproxy.dataplane.conntrack.FlowTimeouts;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.IpPrefix;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.net.PortRange;
import io.marchproxy.dataplane.packet.DropReason;
import io.marchproxy.lab.L4Lab;
import io.marchproxy.lab.UdpSink;
import io.marchproxy.lab.UdpStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live configuration swaps are atomic: 10,000 swaps while UDP traffic flows, and not one packet handled under a torn
 * configuration; then the same checks catch swaps made non-atomic on purpose.
 *
 * <p>The two configurations are built so that any mix of them denies: A serves service 0 on VIP port 80 and service 1
 * on port 81 and admits the client to service 0 on port 80 and to service 1 on port 81 only; B swaps the ports (service
 * 1 on 80, service 0 on 81) and its rules with them. Under A or B every frame the client sends is admitted; a frame
 * matched against the services of one and the rules of the other is denied: by the XDP program (its ACL_DROPPED
 * counter) or by the worker (ACCESS_DENIED) if it was its flow's first. Every datagram comes from one of 256 source
 * ports with a 50 ms UDP flow timeout, so the worker decides new flows all the time, not only the kernel. A third
 * check needs no such construction: the XDP program writes the configuration sequence it decided each frame under in
 * front of it, and the worker counts a frame the kernel decided under a configuration it had not adopted
 * ({@link ConfigConsistency#KERNEL_AHEAD}). After each swap the kernel's live sequence and the worker's agree.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class AtomicSwapLabTest
{
    private static final int SWAPS = 10_000;
    private static final int BACKEND_PORT = 8000;

    private static L4Lab lab;
    private static L4Proxy proxy;
    private static UdpSink sink0;
    private static UdpSink sink1;
    private static long version = 1;

    @BeforeAll
    static void setUp() throws Exception
    {
        lab = L4Lab.create(1, 2);
        sink0 = UdpSink.start(lab.backends().get(0), BACKEND_PORT, false);
        sink1 = UdpSink.start(lab.backends().get(1), BACKEND_PORT, false);
        final ProxySettings base = ProxySettings.of(lab.front().name(), lab.back().name(),
            IpAddress.of(lab.back().ipv4()), null);
        final ProxySettings settings = new ProxySettings(base.front(), base.back(), base.queue(), base.mode(),
            base.snat4(), base.snat6(), base.snatPorts(), 4096, base.frames(), base.frameSize(), base.ringSize(),
            base.batch(), base.pollTimeoutMs(), FlowTimeouts.of(Duration.ofSeconds(10),
                Duration.ofSeconds(300), Duration.ofSeconds(10), Duration.ofMillis(50)), base.cores(),
            base.idle(), base.qos(), base.offloadFlows());
        proxy = L4Proxy.start(lab.node(), settings, config(true, version));
    }

    @AfterAll
    static void tearDown() throws Exception
    {
        try
        {
            if (sink0 != null)
            {
                sink0.close();
                sink1.close();
            }
            if (proxy != null)
            {
                proxy.close();
            }
        }
        finally
        {
            if (lab != null)
            {
                lab.close();
            }
        }
    }

    /** A ({@code a}) or B: service 0 to backend 0, service 1 to backend 1, on swapped ports, admitted there only. */
    private static ProxyConfig config(final boolean a, final long version)
    {
        return config(a, a, version);
    }

    /** The services of A or B with the rules of A or B: a half-made change when they differ. */
    private static ProxyConfig config(final boolean servicesOfA, final boolean rulesOfA, final long version)
    {
        final IpAddress vip = IpAddress.of(L4Lab.vip4(1));
        final List<ProxyService> services = List.of(
            service(0, vip, servicesOfA ? 80 : 81, 0),
            service(1, vip, servicesOfA ? 81 : 80, 1));
        final IpPrefix client = IpPrefix.of(IpAddress.of(lab.clients().get(0).link().ipv4()), 32);
        final List<AccessRule> rules = List.of(
            new AccessRule(0, AccessAction.ALLOW, List.of(client), Set.of(0), Set.of(L4Protocol.UDP),
                List.of(PortRange.of(rulesOfA ? 80 : 81))),
            new AccessRule(1, AccessAction.ALLOW, List.of(client), Set.of(1), Set.of(L4Protocol.UDP),
                List.of(PortRange.of(rulesOfA ? 81 : 80))));
        return new ProxyConfig(version, services, rules, AccessAction.DENY);
    }

    private static ProxyService service(final int index, final IpAddress vip, final int port, final int backend)
    {
        return new ProxyService(index, "svc" + index, vip, L4Protocol.UDP, PortRange.of(port),
            BalancingAlgorithm.ROUND_ROBIN, List.of(new Backend(IpAddress.of(lab.backends().get(backend).link()
                .ipv4()), BACKEND_PORT, 1, true)), null, false);
    }

    /** What the torn-configuration checks have counted so far. */
    private record Torn(long xdpDenied, long javaDenied, long noService, long kernelAhead)
    {
        static Torn now()
        {
            return new Torn(proxy.program().counter(L4Program.Counter.ACL_DROPPED),
                proxy.drops().get(DropReason.ACCESS_DENIED), proxy.drops().get(DropReason.NO_SERVICE),
                proxy.configConsistency().get(ConfigConsistency.KERNEL_AHEAD));
        }

        Torn since(final Torn before)
        {
            return new Torn(xdpDenied - before.xdpDenied, javaDenied - before.javaDenied, noService - before.noService,
                kernelAhead - before.kernelAhead);
        }

        long total()
        {
            return xdpDenied + javaDenied + noService + kernelAhead;
        }
    }

    private static UdpStream[] traffic()
    {
        return new UdpStream[]{
            UdpStream.start(lab.clients().get(0), new InetSocketAddress(L4Lab.vip4(1), 80), 16_000_000, 200, 256, 0),
            UdpStream.start(lab.clients().get(0), new InetSocketAddress(L4Lab.vip4(1), 81), 16_000_000, 200, 256, 0)};
    }

    @Test
    void tenThousandSwapsUnderTrafficAndNoPacketSeesATornConfiguration() throws Exception
    {
        final Torn before = Torn.now();
        final long matchedBefore = proxy.configConsistency().get(ConfigConsistency.MATCHED);
        final long behindBefore = proxy.configConsistency().get(ConfigConsistency.KERNEL_BEHIND);
        final long retriedBefore = proxy.program().counter(L4Program.Counter.CONFIG_RETRIED);
        final long receivedBefore = sink0.received().datagrams() + sink1.received().datagrams();
        final UdpStream[] streams = traffic();
        final long start = System.nanoTime();
        long sent;
        try
        {
            Thread.sleep(200);
            for (int i = 0; i < SWAPS; i++)
            {
                proxy.apply(config(i % 2 == 1, ++version));
                assertEquals(proxy.adoptedSequence(), proxy.program().liveSequence(),
                    "the kernel and the worker agree after swap " + i);
                if (i % 1000 == 0)
                {
                    assertEquals(proxy.adoptedSequence(), proxy.program().kernelSequence(), "the map says so too");
                }
            }
            Thread.sleep(200);
        }
        finally
        {
            sent = 0;
            for (final UdpStream s : streams)
            {
                s.close();
                sent += s.sent().datagrams();
            }
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        Thread.sleep(200);
        final Torn torn = Torn.now().since(before);
        final long matched = proxy.configConsistency().get(ConfigConsistency.MATCHED) - matchedBefore;
        final long behind = proxy.configConsistency().get(ConfigConsistency.KERNEL_BEHIND) - behindBefore;
        final long received = sink0.received().datagrams() + sink1.received().datagrams() - receivedBefore;
        System.out.printf("atomic swaps: %d in %.1f s under %d datagrams (%d received); frames the worker checked: "
            + "%d decided under its configuration, %d under the previous one (in flight during a swap); XDP runs "
            + "that saw their generation rewritten and decided again: %d; torn: %s; drops %s; load %s%n", SWAPS, seconds,
            sent, received, matched, behind,
            proxy.program().counter(L4Program.Counter.CONFIG_RETRIED) - retriedBefore, torn, proxy.drops(),
            QosLabTest.uptime());
        assertTrue(matched + behind > SWAPS, "the traffic went on through the swaps: " + (matched + behind));
        assertTrue(sink0.received().datagrams() > 0 && sink1.received().datagrams() > 0, "both backends served");
        assertEquals(new Torn(0, 0, 0, 0), torn, "no packet handled under a torn configuration");
    }

    @Test
    void theChecksCatchSwapsMadeNonAtomic() throws Exception
    {
        final UdpStream[] streams = traffic();
        final Torn halfMade;
        final Torn kernelFirst;
        try
        {
            Thread.sleep(200);
            // Services and rules changed in two steps: for a moment the services of the next with the rules of the last.
            Torn before = Torn.now();
            boolean a = version % 2 == 1;
            for (int i = 0; i < 300; i++)
            {
                proxy.apply(config(!a, a, ++version));
                proxy.apply(config(!a, ++version));
                a = !a;
            }
            Thread.sleep(100);
            halfMade = Torn.now().since(before);

            // The kernel flipped to the next configuration before the worker has it.
            before = Torn.now();
            for (int i = 0; i < 300; i++)
            {
                flipKernelOnly(!a, proxy.adoptedSequence() + 1);
                Thread.sleep(1);
                proxy.apply(config(!a, ++version));
                a = !a;
            }
            Thread.sleep(100);
            kernelFirst = Torn.now().since(before);
        }
        finally
        {
            for (final UdpStream s : streams)
            {
                s.close();
            }
        }
        System.out.printf("non-atomic swaps caught: services and rules in two steps %s; kernel before worker %s%n",
            halfMade, kernelFirst);
        assertTrue(halfMade.xdpDenied() + halfMade.javaDenied() > 0, "a half-made change is denied and counted");
        assertTrue(kernelFirst.kernelAhead() > 0, "frames decided by a kernel ahead of the worker are counted");
    }

    /** Writes A or B into the XDP program's idle generation and flips it, the worker left behind. */
    private static void flipKernelOnly(final boolean a, final long sequence) throws Exception
    {
        final InetAddress vip = L4Lab.vip4(1);
        final InetAddress client = lab.clients().get(0).link().ipv4();
        final int udp = L4Program.IPPROTO_UDP;
        final int portOf0 = a ? 80 : 81;
        final int portOf1 = a ? 81 : 80;
        proxy.program().stage().defaultAction(L4Program.ACTION_DENY)
            .service(vip, udp, portOf0, 0)
            .service(vip, udp, portOf1, 1)
            .access(0, client, 32, L4Program.ACTION_DENY,
                List.of(new L4Program.AclSegment(portOf0, portOf0, L4Program.ACTION_ALLOW)))
            .access(1, client, 32, L4Program.ACTION_DENY,
                List.of(new L4Program.AclSegment(portOf1, portOf1, L4Program.ACTION_ALLOW)))
            .commit(sequence);
    }
}
