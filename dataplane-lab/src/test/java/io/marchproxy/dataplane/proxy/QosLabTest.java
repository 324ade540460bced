package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.acl.AccessAction;
import io.marchproxy.dataplane.acl.AccessRule;
import io.marchproxy.dataplane.balance.Backend;
import io.marchproxy.dataplane.balance.BalancingAlgorithm;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.IpPrefix;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.net.PortRange;
import io.marchproxy.dataplane.netns.HostCommand;
import io.marchproxy.dataplane.packet.DropReason;
import io.marchproxy.dataplane.qos.ClassSettings;
import io.marchproxy.dataplane.qos.EgressScheduler;
import io.marchproxy.dataplane.qos.PriorityClass;
import io.marchproxy.dataplane.qos.QosCounter;
import io.marchproxy.dataplane.qos.QosSettings;
import io.marchproxy.dataplane.qos.ServiceQos;
import io.marchproxy.lab.DscpCounters;
import io.marchproxy.lab.L4Lab;
import io.marchproxy.lab.LabHost;
import io.marchproxy.lab.UdpSink;
import io.marchproxy.lab.UdpStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * QoS of the L4 proxy on the L4 lab, measured where the traffic arrives: a service limited to R Mbit/s delivers R
 * (+-5%) to its backend while an unlimited one is unaffected; P0 keeps its delay bound while P3 floods a link the
 * proxy is told is 30 Mbit/s; the backends and clients see the DSCP of each service's class (or its own) on IPv4
 * and IPv6, both directions. Senders and receivers are real UDP sockets in the lab's namespaces; each test starts its
 * own proxy on the one lab.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class QosLabTest
{
    private static final long MBIT = 1_000_000L;
    private static final long LINK = 30 * MBIT;
    /**
     * P0's delay bound here: 20 ms rather than the default 5, so that a host too busy to run the worker for a few
     * milliseconds (this test shares two cores with builds and labs) is not mistaken for the scheduler's doing; P3
     * keeps its 100 ms.
     */
    private static final Duration P0_BOUND = Duration.ofMillis(20);
    /** What the lab's senders put in the TOS byte (CS1), so a class marked 0 shows as a change. */
    private static final int CLIENT_TOS = 8 << 2;

    private static final int SHAPED = 7000;
    private static final int FREE = 7001;
    private static final int URGENT = 7002;
    private static final int BULK = 7003;
    private static final int CUSTOM6 = 7004;

    private static L4Lab lab;
    private static ProxyConfig config;
    private static final List<UdpSink> sinks = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception
    {
        lab = L4Lab.create(2, 2);
        final LabHost b0 = lab.backends().get(0);
        final LabHost b1 = lab.backends().get(1);
        sinks.add(UdpSink.start(b0, SHAPED, false));
        sinks.add(UdpSink.start(b1, FREE, false));
        sinks.add(UdpSink.start(b0, URGENT, true));
        sinks.add(UdpSink.start(b1, BULK, false));
        sinks.add(UdpSink.start(b0, CUSTOM6, true));
        final InetAddress vip = L4Lab.vip4(1);
        final List<ProxyService> services = List.of(
            // Its own bound, 500 ms: the shaper then rides out gaps of a sender that shares a busy machine (a gap
            // longer than the backlog allowed would cost the service its rate for that long, as with any shaper).
            service(0, "shaped", vip, b0, SHAPED, new ServiceQos(10 * MBIT, 0, 0, PriorityClass.P2, -1,
                Duration.ofMillis(500))),
            service(1, "free", vip, b1, FREE, ServiceQos.ofClass(PriorityClass.P1)),
            service(2, "urgent", vip, b0, URGENT, ServiceQos.ofClass(PriorityClass.P0)),
            service(3, "bulk", vip, b1, BULK, ServiceQos.ofClass(PriorityClass.P3)),
            service(4, "custom6", L4Lab.vip6(1), b0, CUSTOM6, new ServiceQos(0, 0, 0, PriorityClass.P1, 10, null)));
        final AccessRule anyone = new AccessRule(0, AccessAction.ALLOW, List.of(IpPrefix.parse("0.0.0.0/0"),
            IpPrefix.parse("::/0")), Set.of(0, 1, 2, 3, 4), Set.of(L4Protocol.UDP), List.of(PortRange.ALL));
        config = new ProxyConfig(1, services, List.of(anyone), AccessAction.DENY);
    }

    /**
     * A proxy with {@code qos} on the lab, its worker at nice -19 as perf-lab runs the implementations it measures:
     * the test is about the scheduler, not about the other work of a shared two-core machine.
     */
    private static L4Proxy proxy(final QosSettings qos) throws Exception
    {
        final L4Proxy proxy = L4Proxy.start(lab.node(), ProxySettings.of(lab.front().name(), lab.back().name(),
            IpAddress.of(lab.back().ipv4()), IpAddress.of(lab.back().ipv6())).withQos(qos), config);
        HostCommand.run("renice", "-n", "-19", "-p", Integer.toString(proxy.worker().threadId()));
        return proxy;
    }

    private static ProxyService service(
        final int index, final String name, final InetAddress vip, final LabHost backend, final int port,
        final ServiceQos qos)
    {
        final IpAddress address = IpAddress.of(vip instanceof java.net.Inet6Address ? backend.link().ipv6()
            : backend.link().ipv4());
        return new ProxyService(index, name, IpAddress.of(vip), L4Protocol.UDP, PortRange.of(port),
            BalancingAlgorithm.ROUND_ROBIN, List.of(new Backend(address, port, 1, true)), null, false, qos);
    }

    @AfterAll
    static void tearDown() throws Exception
    {
        try
        {
            for (final UdpSink s : sinks)
            {
                s.close();
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

    @Test
    void aServiceLimitedToRDeliversRWhileAnUnlimitedOneIsUnaffected() throws Exception
    {
        try (L4Proxy proxy = proxy(QosSettings.DEFAULTS))
        {
            rates(proxy);
        }
    }

    private static void rates(final L4Proxy proxy) throws Exception
    {
        // A window counts only if the sender offered well over the limit (on a loaded machine a sender thread may
        // not be scheduled for seconds); then the proxy's figures are judged. At most three windows.
        int attempt = 1;
        while (!rateWindow())
        {
            assertTrue(++attempt <= 3, "the sender could not offer well over the limit in three windows");
        }
        final EgressScheduler toBackends = proxy.qos(true);
        assertTrue(toBackends.counter(PriorityClass.P2, QosCounter.SHAPED) > 1000, "the limited service was held");
        assertTrue(toBackends.counter(PriorityClass.P2, QosCounter.DROPPED_DELAY) > 0,
            "what would wait past the service's bound was dropped");
    }

    /** One measured window; false if a sender could not offer its rate (the window says nothing of the proxy). */
    private static boolean rateWindow() throws Exception
    {
        final long start = System.nanoTime();
        try (UdpStream over = UdpStream.start(lab.clients().get(0), new InetSocketAddress(L4Lab.vip4(1), SHAPED),
                20 * MBIT, 1200, 4, CLIENT_TOS);
             UdpStream free = UdpStream.start(lab.clients().get(1), new InetSocketAddress(L4Lab.vip4(1), FREE),
                 10 * MBIT, 1200, 4, CLIENT_TOS))
        {
            Thread.sleep(3_200);
            final long from = start + TimeUnit.MILLISECONDS.toNanos(1_000);
            final long to = start + TimeUnit.MILLISECONDS.toNanos(3_000);
            final double seconds = (to - from) / 1e9;
            final double shapedRate = sinks.get(0).received().bytesBetween(from, to) * 8 / seconds;
            final double offered = over.sent().bytesBetween(from, to) * 8 / seconds;
            final double freeRate = sinks.get(1).received().bytesBetween(from, to) * 8 / seconds;
            final double freeSent = free.sent().bytesBetween(from, to) * 8 / seconds;
            // The bucket counts whole Ethernet frames (42 bytes of headers on each 1200-byte datagram); the sink
            // counts UDP payload.
            final double limit = 10.0 * MBIT * 1200 / 1242;
            System.out.printf("QoS rate: shaped service offered %.2f Mbit/s, delivered %.2f (limit 10 on the wire, "
                + "%.2f of payload); free service sent %.2f, delivered %.2f; load %s%n", offered / MBIT,
                shapedRate / MBIT, limit / MBIT, freeSent / MBIT, freeRate / MBIT, uptime());
            if (offered <= 15 * MBIT)
            {
                System.out.println("QoS rate: the sender could not offer well over the limit; measuring again");
                return false;
            }
            assertEquals(limit, shapedRate, 0.05 * limit, "the limited service delivers R +-5%");
            assertEquals(freeSent, freeRate, 0.05 * freeSent, "the unlimited one delivers what it was sent");
            return true;
        }
    }

    @Test
    void p0KeepsItsDelayBoundWhileP3Floods() throws Exception
    {
        try (L4Proxy proxy = proxy(QosSettings.DEFAULTS.withLink(LINK, 32 * 1024).withClass(PriorityClass.P0,
            new ClassSettings(PriorityClass.P0.defaultWeight(), P0_BOUND, PriorityClass.P0.defaultDscp()))))
        {
            priority(proxy);
        }
    }

    private static void priority(final L4Proxy proxy) throws Exception
    {
        final EgressScheduler toBackends = proxy.qos(true);
        final long p0Drops = toBackends.counter(PriorityClass.P0, QosCounter.DROPPED_DELAY)
            + toBackends.counter(PriorityClass.P0, QosCounter.DROPPED_QUEUE_FULL);
        final long p3Drops = toBackends.counter(PriorityClass.P3, QosCounter.DROPPED_DELAY)
            + toBackends.counter(PriorityClass.P3, QosCounter.DROPPED_QUEUE_FULL);
        final long p0Sent = toBackends.counter(PriorityClass.P0, QosCounter.SENT);
        final long p0Received = proxy.statistics().service(2, ProxyStatistics.ServiceCounter.PACKETS_TO_BACKENDS);
        final long[] rtt;
        try (UdpStream flood = UdpStream.start(lab.clients().get(1), new InetSocketAddress(L4Lab.vip4(1), BULK),
            40 * MBIT, 1400, 4, CLIENT_TOS))
        {
            Thread.sleep(500); // the P3 queue is full and the link busy before P0 starts
            rtt = pings(lab.clients().get(0), new InetSocketAddress(L4Lab.vip4(1), URGENT), 200, 5);
        }
        Thread.sleep(100); // what the worker still held has left or been dropped
        final long boundNanos = P0_BOUND.toNanos();
        final long p0Max = toBackends.counter(PriorityClass.P0, QosCounter.DELAY_MAX_NANOS);
        final long p3Max = toBackends.counter(PriorityClass.P3, QosCounter.DELAY_MAX_NANOS);
        System.out.printf("QoS priority: P3 flood 40 Mbit/s over a 30 Mbit/s link; P0 echo RTT p50 %.2f ms p99 %.2f ms "
            + "max %.2f ms; in the node P0 waited at most %.2f ms (bound %d ms), P3 %.2f ms; P3 drops %d; load %s%n",
            rtt[rtt.length / 2] / 1e6, rtt[rtt.length * 99 / 100] / 1e6, rtt[rtt.length - 1] / 1e6, p0Max / 1e6,
            P0_BOUND.toMillis(), p3Max / 1e6,
            toBackends.counter(PriorityClass.P3, QosCounter.DROPPED_DELAY)
                + toBackends.counter(PriorityClass.P3, QosCounter.DROPPED_QUEUE_FULL) - p3Drops, uptime());
        // The node's share: every P0 frame the worker got left within its bound, or was dropped for passing it. On a
        // host too loaded to run the worker for longer than the bound a frame can pass it in the queue (and the kernel
        // can lose frames in the socket's RX ring before any class is known): at most 1% is tolerated for that. With
        // the classes broken (P0 behind P3's 100 ms queue) every P0 frame would pass its bound.
        final long p0Dropped = toBackends.counter(PriorityClass.P0, QosCounter.DROPPED_DELAY)
            + toBackends.counter(PriorityClass.P0, QosCounter.DROPPED_QUEUE_FULL) - p0Drops;
        assertEquals(proxy.statistics().service(2, ProxyStatistics.ServiceCounter.PACKETS_TO_BACKENDS) - p0Received,
            toBackends.counter(PriorityClass.P0, QosCounter.SENT) - p0Sent + p0Dropped, "P0 frames sent or dropped");
        assertTrue(p0Dropped <= 2, "P0 frames dropped: " + p0Dropped);
        assertTrue(rtt.length >= 190, "P0 requests answered: " + rtt.length + " of 200");
        assertTrue(p0Max <= boundNanos, "P0 within its bound: " + p0Max);
        assertTrue(toBackends.counter(PriorityClass.P3, QosCounter.DROPPED_DELAY)
            + toBackends.counter(PriorityClass.P3, QosCounter.DROPPED_QUEUE_FULL) > p3Drops, "P3 did flood");
        assertTrue(p3Max > boundNanos, "P3 waited longer than P0 may: " + p3Max);
        assertTrue(p0Max * 4 < p3Max, "P0's longest wait is a small part of P3's: " + p0Max + " vs " + p3Max);
        assertTrue(proxy.drops().get(DropReason.QOS_QUEUE_FULL) + proxy.drops().get(DropReason.QOS_DELAY_EXCEEDED)
            + proxy.drops().get(DropReason.QOS_RATE_EXCEEDED) > 0);
    }

    @Test
    void receiversSeeEachClassesDscpBothWaysOnIpv4AndIpv6() throws Exception
    {
        final LabHost client = lab.clients().get(0);
        try (L4Proxy proxy = proxy(QosSettings.DEFAULTS))
        {
            // The proxy learns the backends' MACs (IPv6: neighbour discovery) on the first frames: warm both up.
            pings(client, new InetSocketAddress(L4Lab.vip4(1), URGENT), 3, 50);
            pings(client, new InetSocketAddress(L4Lab.vip6(1), CUSTOM6), 3, 50);
            marking(client);
        }
    }

    private static void marking(final LabHost client) throws Exception
    {
        try (DscpCounters atBackend0 = DscpCounters.install(lab.backends().get(0).namespace());
             DscpCounters atBackend1 = DscpCounters.install(lab.backends().get(1).namespace());
             DscpCounters atClient = DscpCounters.install(client.namespace()))
        {
            atBackend0.count("shaped", "udp dport " + SHAPED + " ip dscp 18")
                .count("urgent", "udp dport " + URGENT + " ip dscp 46")
                .count("custom6", "udp dport " + CUSTOM6 + " ip6 dscp 10");
            atBackend1.count("free", "udp dport " + FREE + " ip dscp 34")
                .count("bulk", "udp dport " + BULK + " ip dscp 0");
            atClient.count("urgent", "udp sport " + URGENT + " ip dscp 46")
                .count("custom6", "udp sport " + CUSTOM6 + " ip6 dscp 10");
            final int n = 20;
            for (final int port : new int[]{SHAPED, FREE, BULK})
            {
                try (UdpStream s = UdpStream.start(client, new InetSocketAddress(L4Lab.vip4(1), port), 100_000, 100, 1,
                    CLIENT_TOS))
                {
                    awaitSent(s, n);
                }
            }
            assertEquals(n, pings(client, new InetSocketAddress(L4Lab.vip4(1), URGENT), n, 2).length);
            assertEquals(n, pings(client, new InetSocketAddress(L4Lab.vip6(1), CUSTOM6), n, 2).length);
            Thread.sleep(300);
            assertTrue(atBackend0.packets("shaped") >= n, "P2 service: AF21 (18)");
            assertTrue(atBackend1.packets("free") >= n, "P1: AF41 (34)");
            assertTrue(atBackend1.packets("bulk") >= n, "P3: best effort (0), rewritten from the client's CS1");
            assertEquals(n, atBackend0.packets("urgent"), "P0: EF (46) toward the backend");
            assertEquals(n, atClient.packets("urgent"), "and on the way back");
            assertEquals(n, atBackend0.packets("custom6"), "a service's own DSCP in the IPv6 traffic class");
            assertEquals(n, atClient.packets("custom6"));
        }
    }

    /** Sends until {@code n} datagrams went out, then stops. */
    private static void awaitSent(final UdpStream s, final int n) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (s.sent().datagrams() < n && System.nanoTime() < deadline)
        {
            Thread.sleep(5);
        }
    }

    /**
     * {@code count} echo requests from {@code host} to {@code to}, one every {@code intervalMs}; returns the round
     * trips of those answered, sorted.
     */
    private static long[] pings(final LabHost host, final InetSocketAddress to, final int count, final int intervalMs)
        throws Exception
    {
        return host.namespace().call(() ->
        {
            final long[] rtts = new long[count];
            int answered = 0;
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(
                to.getAddress() instanceof java.net.Inet6Address ? InetAddress.getByName("::") : InetAddress
                    .getByName("0.0.0.0"), 0)))
            {
                socket.setTrafficClass(CLIENT_TOS);
                socket.setSoTimeout(1_000);
                final byte[] answer = new byte[64];
                for (int i = 0; i < count; i++)
                {
                    final byte[] request = ("ping " + i).getBytes();
                    final long sent = System.nanoTime();
                    socket.send(new DatagramPacket(request, request.length, to));
                    try
                    {
                        while (true)
                        {
                            final DatagramPacket got = new DatagramPacket(answer, answer.length);
                            socket.receive(got);
                            if (Arrays.equals(request, Arrays.copyOf(answer, got.getLength())))
                            {
                                rtts[answered++] = System.nanoTime() - sent;
                                break;
                            }
                            // a late answer to an earlier request: not this one's
                        }
                    }
                    catch (final SocketTimeoutException ex)
                    {
                        // unanswered within a second: left out
                    }
                    Thread.sleep(intervalMs);
                }
            }
            final long[] out = Arrays.copyOf(rtts, answered);
            Arrays.sort(out);
            return out;
        });
    }

    static String uptime()
    {
        try
        {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip();
        }
        catch (final java.io.IOException ex)
        {
            return "?";
        }
    }
}
