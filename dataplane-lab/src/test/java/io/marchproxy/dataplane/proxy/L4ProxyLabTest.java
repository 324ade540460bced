package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.acl.AccessAction;
import io.marchproxy.dataplane.acl.AccessRule;
import io.marchproxy.dataplane.balance.Backend;
import io.marchproxy.dataplane.balance.BalancingAlgorithm;
import io.marchproxy.dataplane.bpf.L4Program;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.IpPrefix;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.net.PortRange;
import io.marchproxy.dataplane.netns.NetNamespace;
import io.marchproxy.dataplane.packet.DropReason;
import io.marchproxy.lab.Await;
import io.marchproxy.lab.EchoTransfer;
import io.marchproxy.lab.L4Lab;
import io.marchproxy.lab.LabClient;
import io.marchproxy.lab.LabHost;
import io.marchproxy.lab.ServerReply;
import io.marchproxy.lab.Transport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The L4 proxy end to end on the L4 lab, every flow on the Java path (no service offloads): real clients connect to
 * VIPs through the node's AF_XDP proxy and real servers in the backend namespaces answer with their names; TCP and
 * UDP, IPv4 and IPv6; round robin is exact; access rules drop in XDP; a configuration change applies while traffic
 * flows; a frame of an open flow whose TTL would expire is dropped and counted. {@link L4ProxyOffloadLabTest} runs the
 * same cases with offload on, and more.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class L4ProxyLabTest
{
    static final Duration TIMEOUT = Duration.ofSeconds(3);
    static final int TCP_PORT = 8080;
    static final int UDP_PORT = 5353;
    /** Echo servers on every backend, behind the services on port {@value #ECHO_PORT} of the VIPs. */
    static final int TCP_ECHO_PORT = 9000;
    static final int UDP_ECHO_PORT = 9001;
    static final int ECHO_PORT = 7;
    /** The client namespace's nftables table that sets the TTL of a test flow's datagrams to 1. */
    static final String TTL_TABLE = "marchproxy_ttl";
    static final int TTL_DATAGRAMS = 10;

    L4Lab lab;
    L4Proxy proxy;

    /** Whether the services of this run offload their flows. */
    boolean offload()
    {
        return false;
    }

    @BeforeAll
    void setUp() throws Exception
    {
        lab = L4Lab.create(2, 2);
        lab.startServers(Transport.TCP, TCP_PORT, ServerReply.NAME);
        lab.startServers(Transport.UDP, UDP_PORT, ServerReply.NAME);
        lab.startServers(Transport.TCP, TCP_ECHO_PORT, ServerReply.ECHO);
        lab.startServers(Transport.UDP, UDP_ECHO_PORT, ServerReply.ECHO);
        proxy = L4Proxy.start(lab.node(), ProxySettings.of(lab.front().name(), lab.back().name(),
            IpAddress.of(lab.back().ipv4()), IpAddress.of(lab.back().ipv6())), config(1, AccessAction.ALLOW));
    }

    /** This run's configuration (see {@link #config(L4Lab, long, AccessAction, boolean)}). */
    ProxyConfig config(final long version, final AccessAction everyone)
    {
        return config(lab, version, everyone, offload());
    }

    @AfterAll
    void tearDown()
    {
        try
        {
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

    private static List<Backend> backends(final L4Lab lab, final boolean ipv6, final int port)
    {
        final List<Backend> out = new ArrayList<>();
        for (final LabHost b : lab.backends())
        {
            out.add(new Backend(IpAddress.of(ipv6 ? b.link().ipv6() : b.link().ipv4()), port, 1, true));
        }
        return out;
    }

    /**
     * TCP services on VIP 1 port 80 and UDP on port 53 (both families) over {@code lab}'s backends (TCP 8080, UDP
     * 5353), echo services on port 7 of VIP 1 (TCP 9000, UDP 9001, both families), all offloading as {@code offload}
     * says, and their Java-only twins on port 7 of VIP 2 (IPv4, never offloaded); client 0 always allowed, everyone
     * else as {@code everyone} says (the default denies).
     */
    static ProxyConfig config(final L4Lab lab, final long version, final AccessAction everyone, final boolean offload)
    {
        final List<ProxyService> services = List.of(
            service(0, "web4", L4Lab.vip4(1), L4Protocol.TCP, 80, backends(lab, false, TCP_PORT), offload),
            service(1, "dns4", L4Lab.vip4(1), L4Protocol.UDP, 53, backends(lab, false, UDP_PORT), offload),
            service(2, "web6", L4Lab.vip6(1), L4Protocol.TCP, 80, backends(lab, true, TCP_PORT), offload),
            service(3, "dns6", L4Lab.vip6(1), L4Protocol.UDP, 53, backends(lab, true, UDP_PORT), offload),
            service(4, "echo-tcp4", L4Lab.vip4(1), L4Protocol.TCP, ECHO_PORT, backends(lab, false, TCP_ECHO_PORT),
                offload),
            service(5, "echo-udp4", L4Lab.vip4(1), L4Protocol.UDP, ECHO_PORT, backends(lab, false, UDP_ECHO_PORT),
                offload),
            service(6, "echo-tcp6", L4Lab.vip6(1), L4Protocol.TCP, ECHO_PORT, backends(lab, true, TCP_ECHO_PORT),
                offload),
            service(7, "echo-udp6", L4Lab.vip6(1), L4Protocol.UDP, ECHO_PORT, backends(lab, true, UDP_ECHO_PORT),
                offload),
            service(8, "java-echo-tcp4", L4Lab.vip4(2), L4Protocol.TCP, ECHO_PORT,
                backends(lab, false, TCP_ECHO_PORT), false),
            service(9, "java-echo-udp4", L4Lab.vip4(2), L4Protocol.UDP, ECHO_PORT,
                backends(lab, false, UDP_ECHO_PORT), false));
        final Set<Integer> all = new java.util.TreeSet<>();
        services.forEach(s -> all.add(s.index()));
        final List<AccessRule> rules = new ArrayList<>();
        rules.add(new AccessRule(10, AccessAction.ALLOW,
            List.of(IpPrefix.of(IpAddress.of(lab.clients().get(0).link().ipv4()), 32),
                IpPrefix.of(IpAddress.of(lab.clients().get(0).link().ipv6()), 128)),
            all, Set.of(L4Protocol.TCP, L4Protocol.UDP), List.of(PortRange.ALL)));
        if (everyone == AccessAction.ALLOW)
        {
            rules.add(new AccessRule(20, AccessAction.ALLOW, List.of(IpPrefix.parse("0.0.0.0/0"),
                IpPrefix.parse("::/0")), all, Set.of(L4Protocol.TCP, L4Protocol.UDP), List.of(PortRange.ALL)));
        }
        return new ProxyConfig(version, services, rules, AccessAction.DENY);
    }

    private static ProxyService service(
        final int index, final String name, final InetAddress vip, final L4Protocol protocol, final int port,
        final List<Backend> backends, final boolean offload)
    {
        return new ProxyService(index, name, IpAddress.of(vip), protocol, PortRange.of(port),
            BalancingAlgorithm.ROUND_ROBIN, backends, null, false, offload);
    }

    static Map<String, Integer> spread(final LabClient client, final InetAddress vip, final boolean udp,
        final int requests) throws Exception
    {
        final Map<String, Integer> answers = new TreeMap<>();
        for (int i = 0; i < requests; i++)
        {
            final InetSocketAddress to = new InetSocketAddress(vip, udp ? 53 : 80);
            final String answer = udp ? client.udp(to, "q" + i, TIMEOUT) : client.tcp(to, "q" + i, TIMEOUT);
            answers.merge(answer, 1, Integer::sum);
        }
        return answers;
    }

    @Test
    void tcpAndUdpOfBothFamiliesReachEveryBackendInTurn() throws Exception
    {
        final LabClient client = new LabClient(lab.clients().get(1));
        final Map<String, Integer> expected = new TreeMap<>();
        for (final LabHost b : lab.backends())
        {
            expected.put(b.name(), 3);
        }
        assertEquals(expected, spread(client, L4Lab.vip4(1), false, 6), "TCP over IPv4, round robin");
        assertEquals(expected, spread(client, L4Lab.vip4(1), true, 6), "UDP over IPv4");
        assertEquals(expected, spread(client, L4Lab.vip6(1), false, 6), "TCP over IPv6");
        assertEquals(expected, spread(client, L4Lab.vip6(1), true, 6), "UDP over IPv6");
        assertTrue(proxy.statistics().service(0, ProxyStatistics.ServiceCounter.FLOWS_OPENED) >= 6);
        final var consistency = proxy.configConsistency();
        assertTrue(consistency.get(ConfigConsistency.MATCHED) >= 24, "every client frame came stamped: "
            + consistency);
        assertEquals(0, consistency.get(ConfigConsistency.KERNEL_AHEAD) + consistency.get(ConfigConsistency.UNSTAMPED),
            consistency.toString());
        assertTrue(proxy.qos(true).counter(io.marchproxy.dataplane.qos.PriorityClass.P2,
            io.marchproxy.dataplane.qos.QosCounter.SENT) >= 24, "QoS on by default: unmarked services in P2");
    }

    /**
     * A client that reuses its source port for a new connection before the closed flow of the old one expired gets
     * a new balancing decision: here the old connection's backend was disabled in between, so the new one must go to
     * the other backend (before the fix, the closed flow was reopened towards the disabled backend).
     */
    @Test
    void aNewConnectionOnTheTupleOfAClosedOneIsBalancedAfresh() throws Exception
    {
        final LabHost client = lab.clients().get(0);
        final int port = 41_000 + (int)(ProcessHandle.current().pid() % 1000);
        try
        {
            proxy.apply(onlyBackend(10, 0));
            assertEquals("backend1", fromPort(client, port), "the first connection goes to the only enabled backend");
            proxy.apply(onlyBackend(11, 1));
            assertEquals("backend2", fromPortOnceFree(client, port),
                "the same tuple again, right after the close: balanced afresh onto the enabled backend");
        }
        finally
        {
            proxy.apply(config(12, AccessAction.ALLOW));
        }
    }

    /**
     * A change that disables every backend of a service lets the connections they hold drain: an open echo connection
     * goes on exchanging both ways and closes cleanly, while a new connection finds no backend. (Its frames were once
     * dropped as NO_NEIGHBOUR from the change on: a connection that had just ended was left with its last FIN
     * unanswered, and its client's socket held the port for seconds.)
     */
    @Test
    void aBackendTheChangeDisablesDrainsTheConnectionsItHolds() throws Exception
    {
        final LabClient client = new LabClient(lab.clients().get(0));
        final InetSocketAddress echo = new InetSocketAddress(L4Lab.vip4(1), ECHO_PORT);
        try (Socket socket = client.tcpConnection(echo, TIMEOUT))
        {
            EchoTransfer.exchange(socket, 1_000, 2);
            final long noBackend = proxy.drops().get(DropReason.NO_BACKEND);
            final long noNeighbour = proxy.drops().get(DropReason.NO_NEIGHBOUR);
            try
            {
                proxy.apply(echoBackendsDisabled(20));
                EchoTransfer.exchange(socket, 1_000, 20);
                socket.shutdownOutput();
                assertEquals(-1, socket.getInputStream().read(), "the backend closes its side in turn");
                assertThrows(IOException.class, () ->
                {
                    try (Socket s = client.tcpConnection(echo, Duration.ofMillis(300)))
                    {
                        s.getOutputStream().write('x');
                        s.getInputStream().read();
                    }
                }, "a new connection finds no backend");
                assertTrue(proxy.drops().get(DropReason.NO_BACKEND) > noBackend, "counted as NO_BACKEND");
                assertEquals(noNeighbour, proxy.drops().get(DropReason.NO_NEIGHBOUR), "no frame of the drained "
                    + "connection dropped for want of a next hop");
            }
            finally
            {
                proxy.apply(config(21, AccessAction.ALLOW));
            }
        }
    }

    /** {@link #config} with every backend of echo-tcp4 (service 4) disabled. */
    ProxyConfig echoBackendsDisabled(final long version)
    {
        final ProxyConfig base = config(version, AccessAction.ALLOW);
        final List<ProxyService> services = new ArrayList<>();
        for (final ProxyService s : base.services())
        {
            services.add(s.index() != 4 ? s : new ProxyService(s.index(), s.name(), s.vip(), s.protocol(), s.ports(),
                s.algorithm(), s.backends().stream().map(b -> new Backend(b.address(), b.port(), b.weight(), false))
                .toList(), s.probe(), s.clientAffinity(), s.offload()));
        }
        return new ProxyConfig(version, services, base.rules(), base.defaultAction());
    }

    /** {@link #config} with the IPv4 TCP service's backends all disabled but {@code enabled} (0-based). */
    private ProxyConfig onlyBackend(final long version, final int enabled)
    {
        final ProxyConfig all = config(version, AccessAction.ALLOW);
        final List<ProxyService> services = new ArrayList<>();
        for (final ProxyService s : all.services())
        {
            if (s.index() != 0)
            {
                services.add(s);
                continue;
            }
            final List<Backend> backends = new ArrayList<>();
            for (int b = 0; b < s.backends().size(); b++)
            {
                final Backend x = s.backends().get(b);
                backends.add(new Backend(x.address(), x.port(), x.weight(), b == enabled));
            }
            services.add(new ProxyService(s.index(), s.name(), s.vip(), s.protocol(), s.ports(), s.algorithm(),
                backends, s.probe(), s.clientAffinity(), s.offload()));
        }
        return new ProxyConfig(version, services, all.rules(), all.defaultAction());
    }

    /**
     * {@link #fromPort} as soon as the client's kernel lets the port connect to the same address again. Until the
     * closed connection's socket reaches TIME_WAIT (which a connect from a bound port may reuse) it still holds the
     * tuple (CLOSING, say, when both FINs crossed), and connect fails with "Cannot assign requested address": that
     * is the client's stack, not the proxy, so the request is retried for up to 2 s.
     */
    private static String fromPortOnceFree(final LabHost client, final int port) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (true)
        {
            try
            {
                return fromPort(client, port);
            }
            catch (final java.net.BindException ex)
            {
                if (System.nanoTime() > deadline)
                {
                    // What holds the tuple: the old connection's socket and its state, from the client's kernel.
                    throw new AssertionError("port " + port + " still taken after 2 s; the client's sockets:\n"
                        + client.namespace().exec("ss", "-tanoi", "sport", "=", ":" + port), ex);
                }
                Thread.sleep(10);
            }
        }
    }

    /** One TCP request to VIP 1 port 80 from {@code port} of the client; the backend's name. */
    private static String fromPort(final LabHost client, final int port) throws Exception
    {
        return client.namespace().call(() ->
        {
            try (Socket s = new Socket())
            {
                s.setReuseAddress(true);
                s.setSoTimeout((int)TIMEOUT.toMillis());
                s.bind(new InetSocketAddress(client.link().ipv4(), port));
                s.connect(new InetSocketAddress(L4Lab.vip4(1), 80), (int)TIMEOUT.toMillis());
                s.getOutputStream().write('q');
                s.shutdownOutput();
                return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
        });
    }

    /**
     * Datagrams of an established UDP flow that arrive with TTL (hop limit) 1, made so by an nftables rule in the
     * client's namespace on the flow's own source port: the node must not forward them (their TTL would reach 0), so
     * each is dropped and counted as {@link DropReason#TTL_EXPIRED} and no echo comes back, while the same flow's
     * datagrams before and after cross as usual. In this class the drop is {@code FlowTable.hitAndRewrite}'s; with
     * offload on, the flow is offloaded first and the XDP program hands such a frame to the Java path
     * ({@code FLOW_TO_USER}), which drops it the same way.
     */
    @Test
    void datagramsWhoseTtlWouldExpireAreDroppedAndCountedAndTheFlowGoesOn() throws Exception
    {
        final LabClient client = new LabClient(lab.clients().get(0));
        final NetNamespace namespace = lab.clients().get(0).namespace();
        for (final InetAddress vip : new InetAddress[]{L4Lab.vip4(1), L4Lab.vip6(1)})
        {
            final boolean ipv4 = vip instanceof Inet4Address;
            try (DatagramSocket socket = client.udpSocket(new InetSocketAddress(vip, ECHO_PORT), TIMEOUT))
            {
                final long offloaded = proxy.offloadCounters().get(OffloadCounter.OFFLOADED);
                for (int i = 0; i < 3; i++) // frames enough to offload a UDP flow
                {
                    assertEquals("before" + i, echo(socket, "before" + i), vip + ": the flow is open");
                }
                if (offload())
                {
                    Await.until(vip + ": the flow offloaded", TIMEOUT,
                        () -> proxy.offloadCounters().get(OffloadCounter.OFFLOADED) > offloaded);
                }
                final long expiredBefore = proxy.drops().get(DropReason.TTL_EXPIRED);
                final long toUserBefore = proxy.program().counter(L4Program.Counter.FLOW_TO_USER);
                namespace.exec("nft", "add", "table", "inet", TTL_TABLE);
                try
                {
                    namespace.exec("nft", "add", "chain", "inet", TTL_TABLE, "output",
                        "{ type filter hook output priority filter; policy accept; }");
                    namespace.exec("nft", "add", "rule", "inet", TTL_TABLE, "output", "udp", "sport",
                        Integer.toString(socket.getLocalPort()), ipv4 ? "ip" : "ip6", ipv4 ? "ttl" : "hoplimit",
                        "set", "1", "counter");
                    for (int i = 0; i < TTL_DATAGRAMS; i++)
                    {
                        final byte[] data = ("ttl" + i).getBytes(StandardCharsets.US_ASCII);
                        socket.send(new DatagramPacket(data, data.length));
                    }
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (proxy.drops().get(DropReason.TTL_EXPIRED) - expiredBefore < TTL_DATAGRAMS
                        && System.nanoTime() < deadline)
                    {
                        Thread.sleep(10);
                    }
                    assertTrue(namespace.exec("nft", "list", "table", "inet", TTL_TABLE)
                        .contains("packets " + TTL_DATAGRAMS + " "), vip + ": the client sent them with TTL 1");
                    assertEquals(TTL_DATAGRAMS, proxy.drops().get(DropReason.TTL_EXPIRED) - expiredBefore,
                        vip + ": dropped and counted for their TTL");
                    assertEquals(offload() ? TTL_DATAGRAMS : 0,
                        proxy.program().counter(L4Program.Counter.FLOW_TO_USER) - toUserBefore,
                        vip + ": frames of an offloaded flow the XDP program left to user space");
                    socket.setSoTimeout(300);
                    assertThrows(SocketTimeoutException.class, () -> socket.receive(new DatagramPacket(new byte[64],
                        64)), vip + ": none of them came back");
                }
                finally
                {
                    namespace.exec("nft", "delete", "table", "inet", TTL_TABLE);
                }
                socket.setSoTimeout((int)TIMEOUT.toMillis());
                assertEquals("after", echo(socket, "after"), vip + ": the flow goes on");
            }
        }
    }

    private static String echo(final DatagramSocket socket, final String request) throws Exception
    {
        final byte[] data = request.getBytes(StandardCharsets.US_ASCII);
        socket.send(new DatagramPacket(data, data.length));
        final DatagramPacket answer = new DatagramPacket(new byte[64], 64);
        socket.receive(answer);
        return new String(answer.getData(), 0, answer.getLength(), StandardCharsets.US_ASCII);
    }

    @Test
    void deniedSourcesAreDroppedInXdpAndAChangeOpensTheWayWhileTrafficFlows() throws Exception
    {
        final LabClient stranger = new LabClient(lab.clients().get(1));
        final LabClient friend = new LabClient(lab.clients().get(0));
        try
        {
            proxy.apply(config(2, AccessAction.DENY));
            final long droppedBefore = proxy.program().counter(L4Program.Counter.ACL_DROPPED);
            final long javaDeniedBefore = proxy.drops().get(DropReason.ACCESS_DENIED);
            assertThrows(IOException.class, () -> stranger.udp(new InetSocketAddress(L4Lab.vip4(1), 53), "x",
                Duration.ofMillis(500)));
            assertThrows(IOException.class, () -> stranger.tcp(new InetSocketAddress(L4Lab.vip4(1), 80), "x",
                Duration.ofMillis(500)));
            assertTrue(proxy.program().counter(L4Program.Counter.ACL_DROPPED) > droppedBefore,
                "the XDP program dropped the stranger's packets");
            assertEquals(javaDeniedBefore, proxy.drops().get(DropReason.ACCESS_DENIED),
                "none of them reached user space");
            assertTrue(friend.tcp(new InetSocketAddress(L4Lab.vip4(1), 80), "x", TIMEOUT).startsWith("backend"),
                "the allowed client still gets through");
        }
        finally
        {
            proxy.apply(config(3, AccessAction.ALLOW));
        }
        assertTrue(stranger.tcp(new InetSocketAddress(L4Lab.vip4(1), 80), "x", TIMEOUT).startsWith("backend"));
        assertEquals(3, proxy.adoptedVersion());
    }
}
