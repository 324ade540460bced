package io.marchproxy.node.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.marchproxy.control.ControlPlaneSettings;
import io.marchproxy.control.rest.TestPlane;
import io.marchproxy.dataplane.bpf.XdpMode;
import io.marchproxy.dataplane.proxy.L4Proxy;
import io.marchproxy.dataplane.proxy.ProxyConfig;
import io.marchproxy.dataplane.proxy.ProxySettings;
import io.marchproxy.lab.Await;
import io.marchproxy.lab.L4Lab;
import io.marchproxy.lab.ServerReply;
import io.marchproxy.lab.Transport;
import io.marchproxy.node.ProxyInterfaces;
import io.marchproxy.node.cli.MarchproxyCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two agents, each with its L4 proxy on a lab of its own (an {@link L4Lab}: a client, the node, two backends with real
 * UDP servers, in namespaces this test creates), following one control plane on a durable store over REST, as remote
 * dataplanes do: a REST change reaches both dataplanes (the lab clients' requests show the new backend); the control
 * plane stops and comes back on the same store while the clients' requests keep being answered; a rotated cluster
 * key stops the agents' updates (they say so), and the agent whose key file gets the new key catches up while the
 * other stays on its last configuration. The steps run in order on the same labs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AgentPairLabTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int VIP = 20;
    private static final int PORT = 53;
    private static final int BACKEND_PORT = 5353;
    private static final AtomicInteger SOURCE_PORTS = new AtomicInteger(20_000);

    private static final List<String> LOG = new ArrayList<>();
    private static final Handler CAPTURE = new Handler()
    {
        @Override
        public void publish(final LogRecord r)
        {
            synchronized (LOG)
            {
                LOG.add(r.getLevel() + " " + r.getMessage());
            }
        }

        @Override
        public void flush()
        {
        }

        @Override
        public void close()
        {
        }
    };

    private static Path dir;
    private static ControlPlaneSettings settings;
    private static TestPlane plane;
    private static String admin;
    private static String clusterId;
    private static String key;
    private static Path keyFile;
    private static String serviceId;
    private static final L4Lab[] LABS = new L4Lab[2];
    private static final L4Proxy[] PROXIES = new L4Proxy[2];
    private static final Agent[] AGENTS = new Agent[2];

    @BeforeAll
    static void setUp() throws Exception
    {
        dir = Files.createTempDirectory("marchproxy-agents");
        settings = TestPlane.settings(dir.resolve("store"), "", TestPlane.ADMIN_PASSWORD);
        plane = new TestPlane(settings, false);
        // After the first start: Helidon's logging set-up resets the loggers' handlers once, when it first runs.
        Logger.getLogger("io.marchproxy").addHandler(CAPTURE);
        settings = settings.withPort(plane.plane.port());
        admin = plane.adminToken();
        final TestPlane.Res c = plane.post("/api/v1/clusters", admin, "{\"name\":\"agents\",\"defaultPolicy\":\"allow\"}");
        assertEquals(201, c.status(), c.text());
        clusterId = c.json().get("id").asText();
        key = c.json().get("apiKey").asText();
        keyFile = Files.writeString(dir.resolve("cluster.key"), key + "\n");
        serviceId = write("POST", "/api/v1/services", service(1)).get("id").asText();

        for (int i = 0; i < 2; i++)
        {
            LABS[i] = L4Lab.create(1, 2);
            LABS[i].startServers(Transport.UDP, BACKEND_PORT, ServerReply.NAME);
            final ProxySettings proxy = ProxyInterfaces.lab(LABS[i], XdpMode.DRV, ProxySettings.DEFAULT_SNAT_PORTS);
            PROXIES[i] = L4Proxy.start(LABS[i].node(), proxy, ProxyConfig.EMPTY);
            // Agent 0 has its key on the command line, agent 1 in a file it reads again on every attempt.
            final ClusterKeySource source = i == 0 ? ClusterKeySource.of(key, "--cluster-key")
                : ClusterKeySource.file(keyFile);
            AGENTS[i] = Agent.start(new Agent.Settings(URI.create("http://127.0.0.1:" + settings.port()), source,
                null, "agent-" + i, "lab-host-" + i, LABS[i].front().ipv4().getHostAddress(), Duration.ofSeconds(1),
                Duration.ofSeconds(30), Duration.ofSeconds(1)), PROXIES[i]);
        }
    }

    @AfterAll
    static void tearDown() throws Exception
    {
        try (TestPlane t = plane; L4Lab a = LABS[0]; L4Lab b = LABS[1]; L4Proxy pa = PROXIES[0];
             L4Proxy pb = PROXIES[1]; Agent aa = AGENTS[0]; Agent ab = AGENTS[1])
        {
            // closed in reverse order: agents, proxies, labs, then the control plane (which deletes its store)
        }
        finally
        {
            Logger.getLogger("io.marchproxy").removeHandler(CAPTURE);
            TestPlane.deleteTree(dir);
        }
    }

    /** The test's one UDP service on VIP 20 port 53, over lab backend {@code n} (1 or 2). */
    private static String service(final int backend)
    {
        return "{\"name\":\"echo\",\"clusterId\":\"" + clusterId + "\",\"address\":\"" + L4Lab.vip4(VIP).getHostAddress()
            + "\",\"port\":" + PORT + ",\"protocol\":\"udp\",\"backends\":[{\"address\":\"10.214.0." + (10 + backend)
            + "\",\"port\":" + BACKEND_PORT + "}]}";
    }

    private static JsonNode write(final String method, final String path, final String body)
    {
        final TestPlane.Res r = plane.send(method, path, admin, body);
        assertTrue(r.status() == 200 || r.status() == 201, r.status() + " " + r.text());
        return r.json();
    }

    /**
     * A lab client's request to the service through agent {@code i}'s proxy: the backend's name, or null. Each from a
     * source port not used before in the test, so each is a new flow: a port the kernel picked could repeat one of an
     * earlier request still tracked (30 s for UDP) and land on that flow's backend.
     */
    private static String ask(final int i)
    {
        try
        {
            return LABS[i].clients().get(0).namespace().call(() ->
            {
                try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(SOURCE_PORTS.getAndIncrement())))
                {
                    socket.connect(new InetSocketAddress(L4Lab.vip4(VIP), PORT));
                    socket.setSoTimeout(1500);
                    socket.send(new DatagramPacket(new byte[]{'q'}, 1));
                    final DatagramPacket answer = new DatagramPacket(new byte[256], 256);
                    socket.receive(answer);
                    return new String(answer.getData(), 0, answer.getLength(), StandardCharsets.UTF_8);
                }
            });
        }
        catch (final Exception ex)
        {
            return null;
        }
    }

    private static void awaitAnswer(final int agent, final String backend) throws InterruptedException
    {
        Await.until("agent-" + agent + "'s dataplane to answer from " + backend, WAIT,
            () -> backend.equals(ask(agent)));
    }

    private static String log()
    {
        synchronized (LOG)
        {
            return String.join("\n", LOG);
        }
    }

    @Test
    @Order(1)
    void aRestChangeReachesBothDataplanes() throws Exception
    {
        awaitAnswer(0, "backend1");
        awaitAnswer(1, "backend1");
        write("PUT", "/api/v1/services/" + serviceId, service(2));
        final long version = plane.plane.store().state().configVersion();
        awaitAnswer(0, "backend2");
        awaitAnswer(1, "backend2");
        // The dataplane serves a version a moment before the agent records it as applied.
        Await.until("both agents to record version " + version, WAIT,
            () -> AGENTS[0].appliedVersion() == version && AGENTS[1].appliedVersion() == version);
        for (final Agent a : AGENTS)
        {
            assertEquals(Agent.State.FOLLOWING, a.state());
        }

        Await.until("both agents' heartbeats with version " + version, WAIT, () ->
        {
            final JsonNode items = plane.get("/api/v1/proxies?clusterId=" + clusterId, admin).json().get("items");
            int current = 0;
            for (final JsonNode p : items)
            {
                current += p.get("lastConfigVersion").asLong() == version && p.get("configCurrent").asBoolean()
                    && p.get("metrics").path("txPackets").asLong() > 0 ? 1 : 0;
            }
            return current == 2;
        });
        final JsonNode proxies = plane.get("/api/v1/proxies?clusterId=" + clusterId, admin).json();
        assertEquals(2, proxies.get("total").asInt());
        for (final JsonNode p : proxies.get("items"))
        {
            assertEquals("active", p.get("status").asText(), p.toString());
            assertEquals("ok", p.get("health").asText(), p.toString());
            assertTrue(p.get("capabilities").toString().contains("af_xdp"), p.toString());
            assertTrue(p.get("metrics").path("connectionsOpened").asLong() > 0, p.toString());
        }

        // marchproxy stats --proxies: the control plane's view of both agents, from outside, with a viewer's token.
        final Path token = Files.createTempFile("marchproxy-token", "");
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream stdout = System.out;
        final int status;
        try
        {
            Files.writeString(token, admin);
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            status = MarchproxyCommand.execute("stats", "--proxies", "--url", "http://127.0.0.1:" + plane.plane.port(),
                "--token-file", token.toString(), "--cluster-id", clusterId, "--count", "4", "--interval", "1.5",
                "--plain");
        }
        finally
        {
            System.setOut(stdout);
            Files.deleteIfExists(token);
        }
        final String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, out);
        final String last = out.substring(out.lastIndexOf("marchproxy stats "));
        assertTrue(last.contains("2 proxies"), last);
        for (final JsonNode p : plane.get("/api/v1/proxies?clusterId=" + clusterId, admin).json().get("items"))
        {
            // name, status, health, the version it serves (current), then rates between its last two heartbeats (four
            // views 1.5 s apart see at least two of each agent's heartbeats, sent every second)
            final Pattern row = Pattern.compile("\\n\\s+" + p.get("name").asText() + "\\s+active\\s+ok\\s+" + version
                + " \\s+\\d+s\\s+\\d+\\.\\d\\s+\\d+\\.\\d\\s+\\d+");
            assertTrue(row.matcher(last).find(), row + " in\n" + out);
        }
    }

    @Test
    @Order(2)
    void forwardingGoesOnWhileTheControlPlaneRestartsAndTheAgentsCatchUp() throws Exception
    {
        final AtomicLong[] answered = {new AtomicLong(), new AtomicLong()};
        final AtomicLong[] failed = {new AtomicLong(), new AtomicLong()};
        final Thread[] probes = new Thread[2];
        final AtomicBoolean stop = new AtomicBoolean();
        for (int i = 0; i < 2; i++)
        {
            final int agent = i;
            probes[i] = Thread.ofPlatform().daemon().start(() ->
            {
                while (!stop.get())
                {
                    final String answer = ask(agent);
                    if ("backend2".equals(answer))
                    {
                        answered[agent].incrementAndGet();
                    }
                    else
                    {
                        failed[agent].incrementAndGet();
                        synchronized (LOG)
                        {
                            LOG.add("PROBE agent-" + agent + " got " + answer + " at " + java.time.Instant.now());
                        }
                    }
                    try
                    {
                        Thread.sleep(10);
                    }
                    catch (final InterruptedException ex)
                    {
                        return;
                    }
                }
            });
        }
        try
        {
            plane.close(); // the store stays: the same directory is opened again below
            Await.until("both agents to find the control plane unreachable", WAIT,
                () -> AGENTS[0].state() == Agent.State.UNREACHABLE && AGENTS[1].state() == Agent.State.UNREACHABLE);
            final long before0 = answered[0].get();
            final long before1 = answered[1].get();
            Await.until("20 requests through each agent while the control plane is down", WAIT,
                () -> answered[0].get() - before0 >= 20 && answered[1].get() - before1 >= 20);
            plane = new TestPlane(settings, true);
            admin = plane.adminToken();
            Await.until("both agents to follow the control plane again", WAIT,
                () -> AGENTS[0].state() == Agent.State.FOLLOWING && AGENTS[1].state() == Agent.State.FOLLOWING);
        }
        finally
        {
            stop.set(true);
            for (final Thread t : probes)
            {
                t.join(5_000);
            }
        }
        assertEquals(0, failed[0].get() + failed[1].get(), "requests not answered by backend2 through the restart; "
            + "answered " + answered[0] + " and " + answered[1] + "\n" + log());
        assertTrue(log().contains("unreachable") && log().contains("answers again after"), log());

        write("PUT", "/api/v1/services/" + serviceId, service(1));
        awaitAnswer(0, "backend1");
        awaitAnswer(1, "backend1");
        final long caughtUp = plane.plane.store().state().configVersion();
        Await.until("agent-0 to record version " + caughtUp, WAIT, () -> AGENTS[0].appliedVersion() == caughtUp);
    }

    @Test
    @Order(3)
    void aRotatedKeyStopsUpdatesUntilTheAgentHasTheNewKey() throws Exception
    {
        final TestPlane.Res rotated = plane.post("/api/v1/clusters/" + clusterId + "/rotate-key", admin, "");
        assertEquals(200, rotated.status(), rotated.text());
        final String newKey = rotated.json().get("apiKey").asText();
        Await.until("both agents to see their key refused", WAIT,
            () -> AGENTS[0].state() == Agent.State.KEY_REFUSED && AGENTS[1].state() == Agent.State.KEY_REFUSED);
        final long refusedAt = AGENTS[0].appliedVersion();
        assertTrue(log().contains("refuses the cluster key") && log().contains("No more configuration updates"),
            log());

        write("PUT", "/api/v1/services/" + serviceId, service(2));
        final long changed = plane.plane.store().state().configVersion();
        Files.writeString(keyFile, newKey + "\n"); // agent 1's operator hands it the new key; agent 0 has none
        awaitAnswer(1, "backend2");
        Await.until("agent-1 following with the new key at version " + changed, WAIT,
            () -> AGENTS[1].state() == Agent.State.FOLLOWING && AGENTS[1].appliedVersion() == changed);
        assertEquals("backend1", ask(0), "agent-0 forwards on its last configuration");
        assertEquals(refusedAt, AGENTS[0].appliedVersion());
        assertEquals(Agent.State.KEY_REFUSED, AGENTS[0].state());

        final String all = log();
        assertFalse(all.contains(key.substring(key.lastIndexOf('.') + 1)), "a key's secret in the log");
        assertFalse(all.contains(newKey.substring(newKey.lastIndexOf('.') + 1)), "a key's secret in the log");
    }

    @Test
    @Order(4)
    void aKeyTheControlPlaneRefusesFailsTheStartWithItsReason() throws Exception
    {
        final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> Agent.start(
            new Agent.Settings(URI.create("http://127.0.0.1:" + settings.port()),
                ClusterKeySource.of("mpk." + clusterId + ".not-the-key", "--cluster-key"), null, "agent-x", "x",
                "192.0.2.9", Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(1)), PROXIES[0]));
        assertTrue(refused.getMessage().contains("401") && refused.getMessage().contains("check the cluster key"),
            refused.getMessage());
        assertFalse(refused.getMessage().contains("not-the-key"), refused.getMessage());
    }
}
