package io.marchproxy.lab;

import io.marchproxy.dataplane.netlink.InterfaceLink;
import io.marchproxy.dataplane.netlink.NeighbourTable;
import io.marchproxy.dataplane.netns.HostCommand;
import io.marchproxy.dataplane.netns.NetNamespace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The L4 lab's self-test: its topology is what the proxy is told it is, the kernel's own NAT path serves TCP and UDP
 * VIPs of both families from every backend in turn and stops when removed, plain forwarding reaches the backends, and
 * closing leaves no namespace behind.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class L4LabTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final int TCP_PORT = 8080;
    private static final int UDP_PORT = 5353;

    private static L4Lab lab;

    @BeforeAll
    static void setUp()
    {
        lab = L4Lab.create(2, 3);
        lab.startServers(Transport.TCP, TCP_PORT, ServerReply.NAME);
        lab.startServers(Transport.UDP, UDP_PORT, ServerReply.NAME);
    }

    @AfterAll
    static void tearDown()
    {
        if (lab != null)
        {
            lab.close();
        }
    }

    @Test
    void topologyIsWhatTheProxyIsTold() throws Exception
    {
        assertEquals(List.of("client1", "client2"), lab.clients().stream().map(LabHost::name).toList());
        assertEquals(List.of("backend1", "backend2", "backend3"), lab.backends().stream().map(LabHost::name).toList());
        assertEquals(InetAddress.getByName("10.213.0.1"), lab.front().ipv4());
        assertEquals(InetAddress.getByName("fd00:214::1"), lab.back().ipv6());
        assertEquals(InetAddress.getByName("10.213.0.12"), lab.clients().get(1).link().ipv4());
        assertEquals(InetAddress.getByName("fd00:214::13"), lab.backends().get(2).link().ipv6());
        assertEquals(InetAddress.getByName("10.215.0.7"), L4Lab.vip4(7));
        assertEquals(InetAddress.getByName("fd00:215::a"), L4Lab.vip6(10));
        assertEquals(8, lab.namespaces().size());

        // What the kernel reports inside each namespace matches what the lab says.
        final List<LabInterface> links = new ArrayList<>(List.of(lab.front(), lab.back()));
        hosts().forEach(host -> links.add(host.link()));
        for (final LabInterface link : links)
        {
            try (NeighbourTable table = NeighbourTable.open(link.namespace()))
            {
                final InterfaceLink reported = table.link(link.ifindex());
                assertEquals(link.name(), reported.name());
                assertEquals(link.mac(), reported.mac());
            }
            assertTrue(addresses(link).containsAll(List.of(link.ipv4(), link.ipv6())), link.toString());
        }
        // Checksums complete on the wire from every endpoint; GRO on the switch ports facing the node.
        for (final LabHost host : hosts())
        {
            final String features = host.namespace().exec("ethtool", "-k", host.link().name());
            assertTrue(features.contains("tx-checksumming: off"), host.name() + ": " + features);
            assertFalse(features.matches("(?s).*tx-tcp[a-z0-9-]*-segmentation: on.*"), host.name() + ": " + features);
        }
        for (final NetNamespace switchNs : List.of(lab.frontSwitch(), lab.backSwitch()))
        {
            assertTrue(switchNs.exec("ethtool", "-k", "node").contains("generic-receive-offload: on"), switchNs.name());
        }
        // No neighbour entry is configured anywhere: the proxy has to learn MACs from the kernel.
        for (final NetNamespace ns : lab.namespaces())
        {
            assertEquals("", ns.exec("ip", "neigh", "show", "nud", "permanent").strip(), ns.name());
        }
    }

    @Test
    void kernelNatServesEveryBackendInTurnAndStopsWhenRemoved() throws Exception
    {
        final List<LabService> services = List.of(
            new LabService(Transport.TCP, L4Lab.vip4(1), 80, TCP_PORT),
            new LabService(Transport.UDP, L4Lab.vip4(1), 53, UDP_PORT),
            new LabService(Transport.TCP, L4Lab.vip6(1), 80, TCP_PORT),
            new LabService(Transport.UDP, L4Lab.vip6(1), 53, UDP_PORT));
        final Map<String, Long> expected = new TreeMap<>(Map.of("backend1", 2L, "backend2", 2L, "backend3", 2L));
        try (KernelNat nat = lab.installKernelNat(services))
        {
            assertTrue(nat.ruleset().contains("numgen inc mod 3"), nat.ruleset());
            for (final LabService service : services)
            {
                // Six new flows, alternating clients: round robin gives each of three backends exactly two.
                assertEquals(expected, answers(service, 6), service.toString());
            }
        }
        for (final LabService service : services)
        {
            final LabClient client = new LabClient(lab.clients().getFirst());
            assertThrows(IOException.class, () -> request(client, service), "without the NAT: " + service);
        }
        assertEquals("", lab.node().exec("nft", "list", "ruleset").strip());
        assertEquals("0", lab.node().exec("sysctl", "-n", "net.ipv4.ip_forward").strip());
    }

    @Test
    void plainForwardingReachesTheBackendsThemselves() throws Exception
    {
        try (KernelNat _ = lab.installKernelNat(List.of()))
        {
            final LabClient client = new LabClient(lab.clients().get(1));
            for (final LabHost backend : lab.backends())
            {
                assertEquals(backend.name(), client.tcp(
                    new InetSocketAddress(backend.link().ipv4(), TCP_PORT), "", TIMEOUT));
                assertEquals(backend.name(), client.udp(
                    new InetSocketAddress(backend.link().ipv6(), UDP_PORT), "ping", TIMEOUT));
            }
        }
    }

    @Test
    void echoServersReturnWhatWasSent() throws Exception
    {
        final LabHost backend = lab.backends().getFirst();
        try (LabServer tcp = LabServer.start(backend, Transport.TCP, 7007, ServerReply.ECHO);
             LabServer udp = LabServer.start(backend, Transport.UDP, 7007, ServerReply.ECHO);
             KernelNat _ = lab.installKernelNat(List.of()))
        {
            final LabClient client = new LabClient(lab.clients().getFirst());
            final String message = "x".repeat(20_000);
            assertEquals(message, client.tcp(new InetSocketAddress(backend.link().ipv6(), 7007), message, TIMEOUT));
            assertEquals("hello", client.udp(new InetSocketAddress(backend.link().ipv4(), 7007), "hello", TIMEOUT));
            assertEquals(1, tcp.served());
            assertEquals(1, udp.served());
        }
    }

    @Test
    void closeLeavesNoNamespaceAndStaleLabsAreSwept()
    {
        // A lab of a process that died without closing it: its namespaces are swept by the next lab made.
        final long dead = deadPid();
        final String stale = "mpl4-" + dead + "-1-node";
        HostCommand.run("ip", "netns", "add", stale);

        final L4Lab other = L4Lab.create(1, 2);
        final List<String> names = other.namespaces().stream().map(NetNamespace::name).toList();
        assertFalse(netnsList().contains(stale), "stale lab namespace swept");
        assertTrue(netnsList().containsAll(names));
        other.close();
        other.close();
        final List<String> left = netnsList();
        assertTrue(names.stream().noneMatch(left::contains), "left behind: " + left);
        assertThrows(IllegalArgumentException.class, () -> L4Lab.create(0, 2));
    }

    private static List<LabHost> hosts()
    {
        final List<LabHost> hosts = new ArrayList<>(lab.clients());
        hosts.addAll(lab.backends());
        return hosts;
    }

    private static Map<String, Long> answers(final LabService service, final int requests) throws IOException
    {
        final List<String> names = new ArrayList<>();
        for (int i = 0; i < requests; i++)
        {
            names.add(request(new LabClient(lab.clients().get(i % lab.clients().size())), service));
        }
        return new TreeMap<>(names.stream().collect(Collectors.groupingBy(name -> name, Collectors.counting())));
    }

    private static String request(final LabClient client, final LabService service) throws IOException
    {
        final InetSocketAddress vip = new InetSocketAddress(service.vip(), service.port());
        return service.transport() == Transport.TCP ? client.tcp(vip, "", TIMEOUT) : client.udp(vip, "ping", TIMEOUT);
    }

    /** The global addresses {@code ip} shows on the link (prefix lengths /24 and /64 only). */
    private static List<InetAddress> addresses(final LabInterface link) throws IOException
    {
        final List<InetAddress> addresses = new ArrayList<>();
        for (final String line : link.namespace().exec("ip", "-o", "addr", "show", "dev", link.name()).lines().toList())
        {
            final String[] words = line.trim().split("\\s+");
            final String cidr = words[3];
            if (cidr.endsWith("/24") || cidr.endsWith("/64") && !cidr.startsWith("fe80"))
            {
                addresses.add(InetAddress.getByName(cidr.substring(0, cidr.indexOf('/'))));
            }
        }
        return addresses;
    }

    private static List<String> netnsList()
    {
        return HostCommand.run("ip", "netns", "list").lines().map(line -> line.split(" ")[0]).toList();
    }

    private static long deadPid()
    {
        long pid = 4_000_000;
        while (ProcessHandle.of(pid).isPresent())
        {
            pid++;
        }
        return pid;
    }
}
