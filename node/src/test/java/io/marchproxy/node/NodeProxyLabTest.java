package io.marchproxy.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.marchproxy.control.rest.TestPlane;
import io.marchproxy.dataplane.bpf.L4Program;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.packet.DropReason;
import io.marchproxy.dataplane.proxy.L4Proxy;
import io.marchproxy.dataplane.proxy.OffloadCounter;
import io.marchproxy.dataplane.proxy.ProxyConfig;
import io.marchproxy.dataplane.proxy.ProxySettings;
import io.marchproxy.dataplane.proxy.ProxyStatistics;
import io.marchproxy.lab.Await;
import io.marchproxy.lab.DscpCounters;
import io.marchproxy.lab.EchoTransfer;
import io.marchproxy.lab.L4Lab;
import io.marchproxy.lab.LabClient;
import io.marchproxy.lab.LabHost;
import io.marchproxy.lab.LabServer;
import io.marchproxy.lab.ServerReply;
import io.marchproxy.lab.Transport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node end to end, as an operator drives it: a real control plane, REST changes, and the L4 proxy they configure
 * on the L4 lab (clients, the node and three backends in namespaces this test creates, real TCP and UDP servers
 * answering with their names, and echo servers where a test needs them). Each test uses services of its own on its own
 * VIP, in the one cluster the node serves.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class NodeProxyLabTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final int TCP = 8080;
    private static final int UDP = 5353;

    private static TestPlane plane;
    private static L4Lab lab;
    private static L4Proxy proxy;
    private static L4Dataplane dataplane;
    private static AutoCloseable subscription;
    private static String admin;
    private static String cluster;

    @BeforeAll
    static void setUp() throws Exception
    {
        plane = new TestPlane();
        lab = L4Lab.create(2, 3);
        lab.startServers(Transport.TCP, TCP, ServerReply.NAME);
        lab.startServers(Transport.UDP, UDP, ServerReply.NAME);
        proxy = L4Proxy.start(lab.node(), ProxySettings.of(lab.front().name(), lab.back().name(),
            IpAddress.of(lab.back().ipv4()), IpAddress.of(lab.back().ipv6())), ProxyConfig.EMPTY);
        dataplane = new L4Dataplane(plane.plane.store(), plane.plane.publisher(), "lab", proxy, Clock.systemUTC());
        subscription = plane.plane.publisher().subscribe(dataplane);
        dataplane.apply(null);
        admin = plane.adminToken();
        final TestPlane.Res c = plane.post("/api/v1/clusters", admin, "{\"name\":\"lab\",\"defaultPolicy\":\"allow\"}");
        assertEquals(201, c.status(), c.text());
        cluster = c.json().get("id").asText();
    }

    @AfterAll
    static void tearDown() throws Exception
    {
        try (TestPlane t = plane; L4Lab l = lab; L4Proxy p = proxy; AutoCloseable s = subscription)
        {
            // closed in reverse order of creation: the proxy before the lab it runs in
        }
    }

    /** A tcp (or udp) service on VIP {@code n}:{@code port} over {@code backends} (lab backend numbers, 1-based). */
    private static String service(final String name, final int vip, final String protocol, final int port,
        final String extra, final String... backends)
    {
        return "{\"name\":\"" + name + "\",\"clusterId\":\"" + cluster + "\",\"address\":\""
            + L4Lab.vip4(vip).getHostAddress() + "\",\"port\":" + port + ",\"protocol\":\"" + protocol + "\","
            + "\"backends\":[" + String.join(",", backends) + "]" + extra + "}";
    }

    private static String backend(final int n, final int port, final String extra)
    {
        return "{\"address\":\"" + lab.backends().get(n - 1).link().ipv4().getHostAddress() + "\",\"port\":" + port
            + extra + "}";
    }

    /** POSTs (or PUTs) and waits until the proxy serves the version the write created. */
    private static JsonNode write(final String method, final String path, final String body) throws Exception
    {
        final TestPlane.Res r = plane.send(method, path, admin, body);
        assertTrue(r.status() == 200 || r.status() == 201, r.status() + " " + r.text());
        final long version = plane.plane.store().state().configVersion();
        await("config version " + version + " in the dataplane", () -> dataplane.appliedVersion() >= version);
        return r.json();
    }

    private static void await(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        Await.until(what, condition);
    }

    private static String tcp(final int client, final int vip, final int port) throws IOException
    {
        return new LabClient(lab.clients().get(client)).tcp(new InetSocketAddress(L4Lab.vip4(vip), port), "hello",
            TIMEOUT);
    }

    private static Map<String, Integer> spread(final int vip, final int port, final boolean udp, final int requests)
        throws Exception
    {
        final Map<String, Integer> answers = new TreeMap<>();
        final LabClient client = new LabClient(lab.clients().get(0));
        for (int i = 0; i < requests; i++)
        {
            final InetSocketAddress to = new InetSocketAddress(L4Lab.vip4(vip), port);
            answers.merge(udp ? client.udp(to, "q", TIMEOUT) : client.tcp(to, "q", TIMEOUT), 1, Integer::sum);
        }
        return answers;
    }

    /** Requests until every backend of a new service is usable (its MAC resolved): the first ones may still fail. */
    private static void warm(final int vip, final int port, final boolean udp, final int backends) throws Exception
    {
        await("the service's " + backends + " backends to answer", () ->
        {
            try
            {
                return spread(vip, port, udp, backends).size() == backends;
            }
            catch (final Exception ex)
            {
                return false;
            }
        });
    }

    @Test
    void aQosPolicyWrittenThroughRestMarksTheServicesPacketsBothWays() throws Exception
    {
        final JsonNode svc = write("POST", "/api/v1/services", service("marked", 16, "udp", 53, "",
            backend(1, UDP, "")));
        final String body = "{\"serviceId\":\"" + svc.get("id").asText() + "\",\"priority\":\"P0\"}";
        final JsonNode qos = write("POST", "/api/v1/qos", body);
        final LabHost client = lab.clients().get(0);
        try (DscpCounters atBackend = DscpCounters.install(lab.backends().get(0).namespace());
             DscpCounters atClient = DscpCounters.install(client.namespace()))
        {
            atBackend.count("ef", "udp dport " + UDP + " ip dscp 46").count("own", "udp dport " + UDP + " ip dscp 10");
            atClient.count("ef", "udp sport 53 ip dscp 46").count("own", "udp sport 53 ip dscp 10");
            final LabClient c = new LabClient(client);
            for (int i = 0; i < 5; i++)
            {
                assertEquals("backend1", c.udp(new InetSocketAddress(L4Lab.vip4(16), 53), "q" + i, TIMEOUT));
            }
            assertEquals(5, atBackend.packets("ef"), "P0: EF toward the backend");
            assertEquals(5, atClient.packets("ef"), "and back to the client");

            write("PUT", "/api/v1/qos/" + qos.get("id").asText(), body.replace("}", ",\"dscp\":10}"));
            for (int i = 0; i < 5; i++)
            {
                assertEquals("backend1", c.udp(new InetSocketAddress(L4Lab.vip4(16), 53), "r" + i, TIMEOUT));
            }
            assertEquals(5, atBackend.packets("own"), "the policy's own DSCP, live");
            assertEquals(5, atClient.packets("own"));
            assertEquals(5, atBackend.packets("ef"));
        }
    }

    /**
     * The REST switch {@code offload} decides whether the XDP program forwards a service's established flows: with it
     * off, every frame of a connection crosses the AF_XDP sockets and the program forwards none; with it on (the
     * default) the program forwards them and the sockets see next to nothing. Switched off while a connection of the
     * service is offloaded, the connection is taken back to the Java path at once and goes on there intact, as do new
     * ones; switched on again, it is offloaded again at its next frames.
     */
    @Test
    void theOffloadSwitchOverRestDecidesWhichPathAServicesFlowsTakeLive() throws Exception
    {
        final int port = 9007;
        try (LabServer echo = LabServer.start(lab.backends().get(0), Transport.TCP, port, ServerReply.ECHO))
        {
            final JsonNode kept = write("POST", "/api/v1/services", service("kept", 17, "tcp", 7, ",\"offload\":false",
                backend(1, port, "")));
            assertFalse(kept.get("offload").booleanValue());
            final String body = service("fast", 18, "tcp", 7, "", backend(1, port, ""));
            final String fast = write("POST", "/api/v1/services", body).get("id").asText();
            warm(17, 7, false, 1);
            warm(18, 7, false, 1);
            final LabClient client = new LabClient(lab.clients().get(0));
            final long offloads = offload(OffloadCounter.OFFLOADED);
            try (Socket onJava = client.tcpConnection(new InetSocketAddress(L4Lab.vip4(17), 7), TIMEOUT))
            {
                EchoTransfer.exchange(onJava, 1_000, 5);
                assertOnJavaPath("offload false", onJava);
            }
            assertEquals(offloads, offload(OffloadCounter.OFFLOADED), "the kept service's connection stayed");
            try (Socket offloaded = client.tcpConnection(new InetSocketAddress(L4Lab.vip4(18), 7), TIMEOUT))
            {
                EchoTransfer.exchange(offloaded, 1_000, 5);
                await("the default service's connection offloaded", () -> offload(OffloadCounter.OFFLOADED) > offloads);
                assertOffloaded("offload absent (on)", offloaded);

                final long invalidated = offload(OffloadCounter.INVALIDATED);
                final String off = body.replace("\"backends\"", "\"offload\":false,\"backends\"");
                write("PUT", "/api/v1/services/" + fast, off);
                await("the offloaded connection taken back", () -> offload(OffloadCounter.INVALIDATED) > invalidated);
                assertOnJavaPath("switched off while offloaded", offloaded);
                final long before = offload(OffloadCounter.OFFLOADED);
                try (Socket fresh = client.tcpConnection(new InetSocketAddress(L4Lab.vip4(18), 7), TIMEOUT))
                {
                    EchoTransfer.exchange(fresh, 1_000, 5);
                    assertOnJavaPath("a new connection after the switch", fresh);
                }
                assertEquals(before, offload(OffloadCounter.OFFLOADED), "nothing offloaded while the switch is off");

                write("PUT", "/api/v1/services/" + fast, body);
                EchoTransfer.exchange(offloaded, 1_000, 5);
                await("the connection offloaded again", () -> offload(OffloadCounter.OFFLOADED) > before);
                assertOffloaded("switched on again", offloaded);
            }
        }
    }

    /** 1.6 MB each way over {@code socket}: every frame crosses the AF_XDP sockets, the XDP program forwards none. */
    private static void assertOnJavaPath(final String what, final Socket socket) throws IOException
    {
        final long[] path = exchangeCounted(socket);
        assertTrue(path[0] > 2_000, what + ": frames the AF_XDP sockets received: " + path[0]);
        assertTrue(path[1] < 10, what + ": frames the XDP program forwarded: " + path[1]);
    }

    /** 1.6 MB each way over {@code socket}: the XDP program forwards its frames, the AF_XDP sockets see almost none. */
    private static void assertOffloaded(final String what, final Socket socket) throws IOException
    {
        final long[] path = exchangeCounted(socket);
        assertTrue(path[1] > 2_000, what + ": frames the XDP program forwarded: " + path[1]);
        assertTrue(path[0] < 10, what + ": frames the AF_XDP sockets received: " + path[0] + " "
            + proxy.offloadCounters());
    }

    /** 100 echoes of 16,000 bytes; the frames the AF_XDP sockets received and the XDP program forwarded meanwhile. */
    private static long[] exchangeCounted(final Socket socket) throws IOException
    {
        final long received = proxy.received();
        final long forwarded = proxy.program().counter(L4Program.Counter.FLOW_FORWARDED);
        EchoTransfer.exchange(socket, 16_000, 100);
        return new long[]{proxy.received() - received,
            proxy.program().counter(L4Program.Counter.FLOW_FORWARDED) - forwarded};
    }

    private static long offload(final OffloadCounter counter)
    {
        return proxy.offloadCounters().get(counter);
    }

    @Test
    void roundRobinIsExactOverTcpAndUdp() throws Exception
    {
        write("POST", "/api/v1/services", service("rr-tcp", 10, "tcp", 80, "", backend(1, TCP, ""),
            backend(2, TCP, ""), backend(3, TCP, "")));
        write("POST", "/api/v1/services", service("rr-udp", 10, "udp", 53, "", backend(1, UDP, ""),
            backend(2, UDP, ""), backend(3, UDP, "")));
        warm(10, 80, false, 3);
        warm(10, 53, true, 3);
        final Map<String, Integer> even = Map.of("backend1", 4, "backend2", 4, "backend3", 4);
        assertEquals(even, spread(10, 80, false, 12), "TCP connections, round robin");
        assertEquals(even, spread(10, 53, true, 12), "UDP request/response, round robin");
    }

    @Test
    void weightedRoundRobinFollowsTheWeights() throws Exception
    {
        write("POST", "/api/v1/services", service("wrr", 11, "tcp", 80, ",\"loadBalancing\":\"weighted\"",
            backend(1, TCP, ",\"weight\":1"), backend(2, TCP, ",\"weight\":2"), backend(3, TCP, ",\"weight\":3")));
        warm(11, 80, false, 3);
        final Map<String, Integer> got = spread(11, 80, false, 60);
        // Smooth weighted round robin is exact over every cycle of 6: 1/6, 2/6, 3/6 of 60.
        assertEquals(Map.of("backend1", 10, "backend2", 20, "backend3", 30), got);
    }

    @Test
    void aLongLivedConnectionKeepsItsBackendWhenOthersComeAndGo() throws Exception
    {
        final JsonNode created = write("POST", "/api/v1/services", service("sticky", 12, "tcp", 80,
            ",\"loadBalancing\":\"maglev\"", backend(1, TCP, ""), backend(2, TCP, "")));
        final String id = created.get("id").asText();
        warm(12, 80, false, 2);
        final LabHost client = lab.clients().get(1);
        final Socket socket = client.namespace().call(() ->
        {
            final Socket s = new Socket();
            s.connect(new InetSocketAddress(L4Lab.vip4(12), 80), 2000);
            s.setSoTimeout(3000);
            return s;
        });
        try (socket)
        {
            await("the connection's flow", () -> proxy.flows() > 0);
            // Add a third backend, then remove one that does not hold the connection.
            write("PUT", "/api/v1/services/" + id, service("sticky", 12, "tcp", 80, ",\"loadBalancing\":\"maglev\"",
                backend(1, TCP, ""), backend(2, TCP, ""), backend(3, TCP, "")));
            final int holder = holder(id);
            final int removed = holder == 1 ? 2 : 1;
            final List<String> kept = new ArrayList<>();
            for (int b = 1; b <= 3; b++)
            {
                if (b != removed)
                {
                    kept.add(backend(b, TCP, ""));
                }
            }
            write("PUT", "/api/v1/services/" + id, service("sticky", 12, "tcp", 80, ",\"loadBalancing\":\"maglev\"",
                kept.toArray(String[]::new)));
            socket.getOutputStream().write("still here".getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            final InputStream in = socket.getInputStream();
            assertEquals("backend" + holder, new String(in.readAllBytes(), StandardCharsets.UTF_8),
                "the established connection stayed with its backend through both changes");
        }
    }

    /**
     * The lab backend (1-based) holding the one open connection of service {@code id}: the backend whose server has a
     * connection the client has not closed (the server sends its name and half-closes at once, so: established or
     * FIN-WAIT-2). The warm-up connections are closed by their clients (TIME-WAIT) but their flows may still be counted
     * active while they wind down, so the proxy's per-backend counters cannot tell.
     */
    private static int holder(final String id) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        final StringBuilder seen = new StringBuilder();
        do
        {
            int found = 0;
            int count = 0;
            seen.setLength(0);
            for (int n = 0; n < lab.backends().size(); n++)
            {
                final String sockets = lab.backends().get(n).namespace().exec("ss", "-Htan");
                seen.append("backend").append(n + 1).append(": ").append(sockets.strip().replace('\n', ';'))
                    .append(' ');
                final long established = sockets.lines()
                    .filter(l -> (l.startsWith("ESTAB") || l.startsWith("FIN-WAIT-2"))
                        && l.split("\\s+")[3].endsWith(":" + TCP)).count();
                if (established > 0)
                {
                    found = n + 1;
                    count += (int)established;
                }
            }
            if (count == 1)
            {
                return found;
            }
            Thread.sleep(20);
        }
        while (System.nanoTime() < deadline);
        throw new AssertionError("not exactly one backend holds the connection of service " + id + ": " + seen);
    }

    @Test
    void aSourceNoMappingAllowsIsDroppedInXdpUntilAMappingOpensTheWay() throws Exception
    {
        final JsonNode svc = write("POST", "/api/v1/services", service("guarded", 13, "tcp", 80, "",
            backend(1, TCP, ""), backend(2, TCP, "")));
        final String id = svc.get("id").asText();
        final String client0 = lab.clients().get(0).link().ipv4().getHostAddress() + "/32";
        final String client1 = lab.clients().get(1).link().ipv4().getHostAddress() + "/32";
        write("POST", "/api/v1/mappings", "{\"name\":\"only-client0\",\"clusterId\":\"" + cluster + "\",\"sources\":[\""
            + client0 + "\"],\"destinations\":[\"" + id + "\"],\"protocols\":[\"tcp\"],\"ports\":\"80\"}");
        warm(13, 80, false, 2);
        final long xdpBefore = proxy.program().counter(L4Program.Counter.ACL_DROPPED);
        final long javaBefore = proxy.drops().get(DropReason.ACCESS_DENIED);
        assertThrows(IOException.class, () -> tcp(1, 13, 80), "client 1 is not admitted");
        assertTrue(proxy.program().counter(L4Program.Counter.ACL_DROPPED) > xdpBefore,
            "its SYNs were dropped by the XDP program");
        assertEquals(javaBefore, proxy.drops().get(DropReason.ACCESS_DENIED), "none reached the Java proxy");
        assertTrue(tcp(0, 13, 80).startsWith("backend"), "client 0 is");

        // A mapping added while client 1 keeps trying opens the way within a bounded time.
        final long t0 = System.nanoTime();
        plane.post("/api/v1/mappings", admin, "{\"name\":\"client1-too\",\"clusterId\":\"" + cluster
            + "\",\"sources\":[\"" + client1 + "\"],\"destinations\":[\"" + id + "\"],\"protocols\":[\"tcp\"],"
            + "\"ports\":\"80\"}");
        await("client 1 to get through", () ->
        {
            try
            {
                return tcp(1, 13, 80).startsWith("backend");
            }
            catch (final IOException ex)
            {
                return false;
            }
        });
        final long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 5_000, "the new mapping took effect in " + ms + " ms");
    }

    @Test
    void aDisabledBackendGetsNoNewConnections() throws Exception
    {
        final JsonNode svc = write("POST", "/api/v1/services", service("drain", 14, "tcp", 80, "",
            backend(1, TCP, ""), backend(2, TCP, ""), backend(3, TCP, "")));
        warm(14, 80, false, 3);
        write("PUT", "/api/v1/services/" + svc.get("id").asText(), service("drain", 14, "tcp", 80, "",
            backend(1, TCP, ""), backend(2, TCP, ",\"enabled\":false"), backend(3, TCP, "")));
        final Map<String, Integer> got = spread(14, 80, false, 12);
        assertFalse(got.containsKey("backend2"), "the disabled backend got connections: " + got);
        assertEquals(Map.of("backend1", 6, "backend3", 6), got);
    }

    @Test
    void newFlowsAvoidABackendWhoseHealthCheckFails() throws Exception
    {
        final int port = 8081;
        final List<LabServer> servers = new ArrayList<>();
        for (final LabHost b : lab.backends())
        {
            servers.add(LabServer.start(b, Transport.TCP, port, ServerReply.NAME));
        }
        try
        {
            write("POST", "/api/v1/services", service("checked", 15, "tcp", 80,
                ",\"healthCheck\":{\"path\":\"/\",\"intervalSeconds\":5}", backend(1, port, ""), backend(2, port, ""),
                backend(3, port, "")));
            warm(15, 80, false, 3);
            servers.get(2).close(); // backend3 goes away
            // Two failed checks 5 s apart take it out; until then its connections are refused (and counted).
            await("backend3 to be taken out", () ->
            {
                try
                {
                    return !spread(15, 80, false, 3).containsKey("backend3");
                }
                catch (final Exception ex)
                {
                    return false;
                }
            });
            final Map<String, Integer> got = spread(15, 80, false, 10);
            assertEquals(Map.of("backend1", 5, "backend2", 5), got, "every new flow went to a healthy backend");
        }
        finally
        {
            for (final LabServer s : servers)
            {
                s.close();
            }
        }
    }
}
