package io.marchproxy.node;

import io.marchproxy.control.ControlPlaneSettings;
import io.marchproxy.control.observe.Scrape;
import io.marchproxy.control.rest.TestPlane;
import io.marchproxy.control.xds.XdsSettings;
import io.marchproxy.dataplane.conntrack.FlowTimeouts;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.packet.DropClass;
import io.marchproxy.dataplane.packet.DropReason;
import io.marchproxy.dataplane.proxy.OffloadCounter;
import io.marchproxy.dataplane.proxy.ProxySettings;
import io.marchproxy.dataplane.proxy.ProxySnapshot;
import io.marchproxy.dataplane.proxy.ProxyStatistics.BackendCounter;
import io.marchproxy.dataplane.proxy.ProxyStatistics.ServiceCounter;
import io.marchproxy.dataplane.qos.QosCounter;
import io.marchproxy.journal.FlowJournal;
import io.marchproxy.journal.FlowJournalReader;
import io.marchproxy.journal.FlowRecord;
import io.marchproxy.journal.FlowRecordType;
import io.marchproxy.lab.Await;
import io.marchproxy.lab.L4Lab;
import io.marchproxy.lab.LabHost;
import io.marchproxy.lab.ServerReply;
import io.marchproxy.lab.Transport;
import io.marchproxy.node.cli.MarchproxyCommand;
import net.openhft.chronicle.bytes.SyncMode;
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
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A running node's statistics and flow journal on the L4 lab (clients, the node and three backends in namespaces
 * this test creates, real TCP and UDP servers): a bounded run of connections through the proxy, then the metrics
 * scraped over HTTP from {@code /observe/metrics} must equal the dataplane's counters and what the run did (exact
 * connection and datagram counts, each service's own latency distribution); every metric the Grafana dashboard and the
 * alert rules in docs/ use is exported; {@code marchproxy stats} shows the running node's figures as scraped (with
 * each service's p50/p99); and after the node is closed and the journal opened again, it holds an open and a close
 * record for every connection of the run, with the client's port, the backend that answered, and the packets both
 * ways.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeStatsJournalLabTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final int TCP = 8080;
    private static final int UDP = 5353;
    private static final int CONNECTIONS = 12;
    private static final int DATAGRAMS = 9;

    private static TestPlane plane;
    private static L4Lab lab;
    private static Path journalDir;
    private static NodeDataplane node;
    private static String admin;
    /** The run's directory: the control plane's store and the flow journal. */
    private static Path dir;
    /** What the run did: per protocol, client address and port, the backend that answered. */
    private static final List<Connection> run = new ArrayList<>();

    private record Connection(String protocol, String client, int port, String backend)
    {
    }

    @BeforeAll
    static void setUp() throws Exception
    {
        dir = Files.createTempDirectory("marchproxy-node-stats");
        journalDir = dir.resolve("flows");
        plane = new TestPlane(new ControlPlaneSettings("127.0.0.1", 0, dir.resolve("data"), 1000, SyncMode.NONE, "", "",
            Duration.ofMinutes(30), 1000, "admin", TestPlane.ADMIN_PASSWORD, "", "", Duration.ofSeconds(60)),
            new XdsSettings(true, "127.0.0.1", 0, "127.0.0.1"), true);
        lab = L4Lab.create(2, 3);
        lab.startServers(Transport.TCP, TCP, ServerReply.NAME);
        lab.startServers(Transport.UDP, UDP, ServerReply.NAME);
        // Short timeouts, so the run's flows close (and are journaled) within seconds.
        final ProxySettings settings = ProxySettings.of(lab.front().name(), lab.back().name(),
            IpAddress.of(lab.back().ipv4()), IpAddress.of(lab.back().ipv6())).withTimeouts(FlowTimeouts.of(
            Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofMillis(500), Duration.ofMillis(500)));
        node = NodeDataplane.start(plane.plane, lab.node(), settings, "lab", new FlowJournal.Settings(journalDir, 7,
            1 << 20, Duration.ofMillis(100)), Clock.systemUTC());
        admin = plane.adminToken();
        final TestPlane.Res c = plane.post("/api/v1/clusters", admin, "{\"name\":\"lab\",\"defaultPolicy\":\"allow\"}");
        assertEquals(201, c.status(), c.text());
        final String cluster = c.json().get("id").asText();
        // stats-udp keeps its flows on the Java path (its datagrams, one flow each, would stay there anyway): the
        // figures show which service is offloaded.
        for (final String[] s : new String[][]{{"stats-tcp", "tcp", "80", Integer.toString(TCP), ""},
            {"stats-udp", "udp", "53", Integer.toString(UDP), ",\"offload\":false"}})
        {
            final StringBuilder backends = new StringBuilder();
            for (final LabHost b : lab.backends())
            {
                backends.append(backends.length() == 0 ? "" : ",").append("{\"address\":\"")
                    .append(b.link().ipv4().getHostAddress()).append("\",\"port\":").append(s[3]).append('}');
            }
            final TestPlane.Res r = plane.post("/api/v1/services", admin, "{\"name\":\"" + s[0] + "\",\"clusterId\":\""
                + cluster + "\",\"address\":\"" + L4Lab.vip4(3).getHostAddress() + "\",\"port\":" + s[2]
                + ",\"protocol\":\"" + s[1] + "\",\"backends\":[" + backends + "]" + s[4] + "}");
            assertEquals(201, r.status(), r.text());
        }
        final long version = plane.plane.store().state().configVersion();
        Await.until("config version " + version + " in the dataplane",
            () -> node.dataplane().appliedVersion() >= version);
    }

    @AfterAll
    static void tearDown() throws Exception
    {
        try (TestPlane t = plane; L4Lab l = lab; NodeDataplane n = node)
        {
            // closed in reverse order of creation: the node before the lab it runs in
        }
        finally
        {
            if (dir != null)
            {
                TestPlane.deleteTree(dir); // the journal's directory beside the plane's store, which the plane removed
            }
        }
    }

    /** One TCP connection from {@code client} to the VIP: sends, reads the backend's name until it closes. */
    private static Connection tcp(final LabHost client) throws Exception
    {
        return client.namespace().call(() ->
        {
            try (Socket s = new Socket())
            {
                s.connect(new InetSocketAddress(L4Lab.vip4(3), 80), (int)TIMEOUT.toMillis());
                s.setSoTimeout((int)TIMEOUT.toMillis());
                s.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
                s.shutdownOutput();
                final String name = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                return new Connection("tcp", client.link().ipv4().getHostAddress(), s.getLocalPort(), name);
            }
        });
    }

    /** One UDP request and its answer, from a socket of its own (so a flow of its own). */
    private static Connection udp(final LabHost client) throws Exception
    {
        return client.namespace().call(() ->
        {
            try (DatagramSocket s = new DatagramSocket())
            {
                s.connect(new InetSocketAddress(L4Lab.vip4(3), 53));
                s.setSoTimeout((int)TIMEOUT.toMillis());
                s.send(new DatagramPacket(new byte[]{'q'}, 1));
                final DatagramPacket answer = new DatagramPacket(new byte[512], 512);
                s.receive(answer);
                return new Connection("udp", client.link().ipv4().getHostAddress(), s.getLocalPort(),
                    new String(answer.getData(), 0, answer.getLength(), StandardCharsets.UTF_8));
            }
        });
    }

    private static Scrape scrape()
    {
        final TestPlane.Res r = plane.get("/observe/metrics", null);
        assertEquals(200, r.status(), r.text());
        return Scrape.parse(r.text());
    }

    @Test
    @Order(1)
    void metricsScrapedOverHttpMatchTheCountersOfTheRun() throws Exception
    {
        for (int i = 0; i < CONNECTIONS; i++)
        {
            run.add(tcp(lab.clients().get(i % 2)));
        }
        for (int i = 0; i < DATAGRAMS; i++)
        {
            run.add(udp(lab.clients().get(i % 2)));
        }
        Await.until("every flow of the run closed", () -> node.proxy().flows() == 0);
        final ProxySnapshot s = node.proxy().snapshot();
        final Scrape m = scrape();

        // What the run did, exactly: connections and datagrams (one flow each), round robin over the backends.
        final String tcp = "service=\"stats-tcp\"";
        final String udp = "service=\"stats-udp\"";
        assertEquals(CONNECTIONS, m.value("marchproxy_l4_service_flows_opened_total{" + tcp + "}"));
        assertEquals(DATAGRAMS, m.value("marchproxy_l4_service_flows_opened_total{" + udp + "}"));
        assertEquals(DATAGRAMS, m.value("marchproxy_l4_service_packets_total{direction=\"to_backends\"," + udp + "}"));
        assertEquals(DATAGRAMS, m.value("marchproxy_l4_service_packets_total{direction=\"to_clients\"," + udp + "}"));
        assertEquals(0, m.value("marchproxy_l4_service_flows_active{" + tcp + "}"));
        assertEquals(0, m.value("marchproxy_dataplane_flows"));
        for (final LabHost b : lab.backends())
        {
            final String backend = ",backend=\"" + b.link().ipv4().getHostAddress() + ":" + TCP + "\"";
            assertEquals(CONNECTIONS / 3, m.value("marchproxy_l4_backend_flows_opened_total{" + backend.substring(1)
                + "," + tcp + "}"), "round robin");
        }

        // The scrape equals the dataplane's own counters, figure by figure.
        for (final ProxySnapshot.ServiceFigures sf : s.services())
        {
            final String service = "service=\"" + sf.service().name() + "\"";
            assertEquals(sf.get(ServiceCounter.PACKETS_TO_BACKENDS),
                m.value("marchproxy_l4_service_packets_total{direction=\"to_backends\"," + service + "}"));
            assertEquals(sf.get(ServiceCounter.PACKETS_TO_CLIENTS),
                m.value("marchproxy_l4_service_packets_total{direction=\"to_clients\"," + service + "}"));
            assertEquals(sf.get(ServiceCounter.BYTES_TO_BACKENDS),
                m.value("marchproxy_l4_service_bytes_total{direction=\"to_backends\"," + service + "}"));
            assertEquals(sf.get(ServiceCounter.BYTES_TO_CLIENTS),
                m.value("marchproxy_l4_service_bytes_total{direction=\"to_clients\"," + service + "}"));
            long backendPackets = 0;
            long backendBytes = 0;
            for (final ProxySnapshot.BackendFigures b : sf.backends())
            {
                final String labels = "{backend=\"" + b.backend().address() + ":" + b.backend().port() + "\"," + service
                    + "}";
                assertEquals(b.get(BackendCounter.PACKETS), m.value("marchproxy_l4_backend_packets_total" + labels));
                assertEquals(b.get(BackendCounter.BYTES), m.value("marchproxy_l4_backend_bytes_total" + labels));
                assertEquals(b.get(BackendCounter.FLOWS_OPENED),
                    m.value("marchproxy_l4_backend_flows_opened_total" + labels));
                backendPackets += b.get(BackendCounter.PACKETS);
                backendBytes += b.get(BackendCounter.BYTES);
            }
            assertEquals(sf.get(ServiceCounter.PACKETS_TO_BACKENDS) + sf.get(ServiceCounter.PACKETS_TO_CLIENTS),
                backendPackets, "backends' packets add up to the service's");
            assertEquals(sf.get(ServiceCounter.BYTES_TO_BACKENDS) + sf.get(ServiceCounter.BYTES_TO_CLIENTS),
                backendBytes, "and their bytes");
            assertEquals(sf.service().name().equals("stats-tcp"), sf.offloaded(), "offload as the REST switch says");
            assertEquals(sf.offloaded() ? 1 : 0, m.value("marchproxy_l4_service_offload{" + service + "}"));
        }
        for (final DropReason r : DropReason.values())
        {
            assertEquals(s.drops(r), m.value("marchproxy_l4_drops_total{class=\""
                + r.dropClass().name().toLowerCase() + "\",reason=\"" + r.name().toLowerCase() + "\",stage=\"java\"}"),
                r.name());
        }
        assertEquals(0, m.value("marchproxy_l4_drops_total{class=\"" + DropClass.QOS.name().toLowerCase()
            + "\",reason=\"qos_queue_full\",stage=\"java\"}"), "nothing over a QoS limit here: the counter exists, at 0");
        long rx = 0;
        for (final ProxySnapshot.SocketFigures so : s.sockets())
        {
            final String labels = "{interface=\"" + so.interfaceName() + "\",queue=\"" + so.queue() + "\"}";
            assertEquals(so.rxPackets(), m.value("marchproxy_xsk_rx_packets_total" + labels));
            assertEquals(so.txPackets(), m.value("marchproxy_xsk_tx_packets_total" + labels));
            assertTrue(m.has("marchproxy_xsk_rx_ring_full_total"), "XDP_STATISTICS per socket");
            rx += so.rxPackets();
        }
        final long forwarded = s.services().stream().mapToLong(sf -> sf.get(ServiceCounter.PACKETS_TO_BACKENDS)
            + sf.get(ServiceCounter.PACKETS_TO_CLIENTS)).sum();
        // Established TCP flows offload (on by default): the XDP program forwards their later frames itself, and the
        // services' counters have them folded in from the flows' kernel counts.
        final long inXdp = s.xdp(io.marchproxy.dataplane.bpf.L4Program.Counter.FLOW_FORWARDED);
        assertTrue(rx + inXdp >= forwarded && forwarded >= 4L * CONNECTIONS + 2L * DATAGRAMS, rx + " received, "
            + inXdp + " forwarded in XDP, " + forwarded + " forwarded");
        assertEquals(s.xdp(io.marchproxy.dataplane.bpf.L4Program.Counter.FLOW_FORWARDED),
            m.value("marchproxy_xdp_events_total{counter=\"flow_forwarded\"}"));
        for (final OffloadCounter c : OffloadCounter.values())
        {
            assertEquals(s.offload(c), c == OffloadCounter.ACTIVE ? m.value("marchproxy_l4_offload_flows_active")
                : m.value("marchproxy_l4_offload_events_total{event=\"" + c.name().toLowerCase() + "\"}"), c.name());
        }
        // QoS (on by default): every frame forwarded in Java left through a priority class, as the scrape says per
        // class (those the XDP program forwarded for offloaded flows did not pass the Java egress).
        long qosSent = 0;
        for (final ProxySnapshot.ClassFigures c : s.qos())
        {
            final String labels = "{class=\"" + c.priority() + "\",direction=\""
                + (c.toBackends() ? "to_backends" : "to_clients") + "\"}";
            assertEquals(c.get(QosCounter.SENT), m.value("marchproxy_qos_sent_packets_total" + labels), labels);
            assertEquals(c.get(QosCounter.SENT_BYTES), m.value("marchproxy_qos_sent_bytes_total" + labels), labels);
            qosSent += c.get(QosCounter.SENT);
        }
        assertEquals(8, s.qos().size(), "four classes, two directions");
        assertTrue(qosSent + inXdp >= forwarded, qosSent + " sent through QoS, " + inXdp + " in XDP, " + forwarded
            + " forwarded");
        assertEquals(1, m.value("marchproxy_dataplane_worker_info{cpus=\"" + s.worker().allowed() + "\",pinned=\""
            + s.worker().placement().pinned() + "\",thread=\"" + s.worker().thread() + "\"}"), "where the worker runs");
        // Every frame the dataplane took off a ring was timed, once.
        assertEquals(rx, m.value("marchproxy_dataplane_packet_latency_seconds_count"));
        assertEquals(rx, m.value("marchproxy_dataplane_packet_latency_seconds_bucket{le=\"+Inf\"}"));
        assertTrue(s.latency().getValueAtPercentile(99) > 0, "latencies recorded");
        // Each service's own latency: every frame the Java path forwarded for it, once (offloaded flows' frames are
        // the XDP program's: not timed); the datagrams are flows of one frame each way, never offloaded.
        long timedPerService = 0;
        for (final ProxySnapshot.ServiceFigures sf : s.services())
        {
            final String service = "service=\"" + sf.service().name() + "\"";
            final long timed = sf.latency().count();
            assertEquals(timed, m.value("marchproxy_l4_service_packet_latency_seconds_count{" + service + "}"), service);
            assertEquals(timed, m.sum("marchproxy_l4_service_packet_latency_seconds_bucket", "le=\"+Inf\"", service),
                service);
            assertEquals(sf.latency().sumNanos() / 1e9,
                m.value("marchproxy_l4_service_packet_latency_seconds_sum{" + service + "}"), 1e-9, service);
            assertTrue(timed > 0 && timed <= sf.get(ServiceCounter.PACKETS_TO_BACKENDS)
                + sf.get(ServiceCounter.PACKETS_TO_CLIENTS), service + ": " + timed + " frames timed");
            assertTrue(sf.latency().valueAtQuantile(0.99) > 0, service);
            timedPerService += timed;
        }
        assertEquals(2L * DATAGRAMS, m.value("marchproxy_l4_service_packet_latency_seconds_count{" + udp + "}"),
            "each datagram and its answer");
        assertTrue(timedPerService <= rx, timedPerService + " frames timed per service, " + rx + " in all");
        assertEquals(s.xdp(io.marchproxy.dataplane.bpf.L4Program.Counter.REDIRECTED),
            m.value("marchproxy_xdp_events_total{counter=\"redirected\"}"));
        assertEquals(s.configVersion(), m.value("marchproxy_dataplane_config_version"));
        assertEquals(2, m.value("marchproxy_dataplane_services"));
        assertTrue(m.value("marchproxy_dataplane_config_apply_seconds_count") >= 2, "config changes applied");
        for (final String stage : new String[]{"compile", "links", "adoption", "program"})
        {
            assertTrue(m.value("marchproxy_dataplane_config_apply_stage_seconds_count{stage=\"" + stage + "\"}") >= 2,
                "config changes timed in stage " + stage);
        }
        // The control plane's own metrics are still there, in the same registry.
        assertTrue(m.value("marchproxy_http_requests_total{method=\"POST\",route=\"/api/v1/services\",status=\"201\"}")
            >= 2);
        assertEquals(1, m.value("marchproxy_store_writable"));
    }

    @Test
    @Order(2)
    void everyMetricTheDashboardAndTheAlertsUseIsExported() throws Exception
    {
        final Set<String> exported = scrape().names();
        final Pattern name = Pattern.compile("\\b(?:marchproxy|jvm|process)_[a-z0-9_]+\\b");
        int checked = 0;
        for (final Path doc : new Path[]{Path.of("..", "docs", "grafana", "marchproxy-node.json"),
            Path.of("..", "docs", "prometheus", "marchproxy-alerts.yml")})
        {
            final Set<String> used = new TreeSet<>();
            final Matcher matcher = name.matcher(Files.readString(doc));
            while (matcher.find())
            {
                used.add(matcher.group());
            }
            assertTrue(used.size() >= 10, doc + " uses " + used);
            final Set<String> missing = new TreeSet<>(used);
            missing.removeAll(exported);
            assertEquals(Set.of(), missing, doc + " uses metrics a running node does not export");
            checked += used.size();
        }
        assertTrue(checked > 20, checked + " names checked");
    }

    @Test
    @Order(3)
    void marchproxyStatsShowsTheRunningNodesFigures() throws Exception
    {
        final Scrape m = scrape();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream stdout = System.out;
        final int status;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try
        {
            status = MarchproxyCommand.execute("stats", "--url", "http://127.0.0.1:" + plane.plane.port(), "--count",
                "2", "--interval", "0.5", "--plain");
        }
        finally
        {
            System.setOut(stdout);
        }
        final String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, out);
        final String[] views = out.split("marchproxy stats http://127\\.0\\.0\\.1:\\d+ ", -1);
        assertEquals(3, views.length, "two views:\n" + out);
        final String second = views[2];
        assertTrue(second.contains(String.format(java.util.Locale.ROOT, "config v%.0f (2 L4 services) flows 0",
            m.value("marchproxy_dataplane_config_version"))), second);
        for (final String service : new String[]{"stats-tcp", "stats-udp"})
        {
            final String s = "service=\"" + service + "\"";
            final long packets = (long)(m.value("marchproxy_l4_service_packets_total{direction=\"to_backends\"," + s
                + "}") + m.value("marchproxy_l4_service_packets_total{direction=\"to_clients\"," + s + "}"));
            final long opened = (long)m.value("marchproxy_l4_service_flows_opened_total{" + s + "}");
            // service, pkt/s (nothing flows now), packets, opened/s, open, opened, denied, p50, p99 (nothing new in
            // the interval: all of it), offload
            final Pattern row = Pattern.compile("\\n\\s+" + service + "\\s+0\\.0\\s+" + packets
                + "\\s+0\\.0\\s+0\\s+" + opened + "\\s+0\\s+\\d+\\.\\d us\\s+\\d+\\.\\d us\\s+"
                + (service.equals("stats-tcp") ? "on" : "off") + "\\n");
            assertTrue(row.matcher(second).find(), row + " in\n" + second);
        }
        assertTrue(views[1].contains(" - ") || views[1].contains("  -  "), "no rates in the first view:\n" + views[1]);
        assertEquals(2, MarchproxyCommand.execute("stats", "--interval", "0"), "a usage error");

        // The node's own live table (one view, a second in): each service's latency since it appeared.
        final ByteArrayOutputStream table = new ByteArrayOutputStream();
        LiveTable.show(node.proxy(), node.dataplane().latency(), node.journal(), 1, new CountDownLatch(1),
            new PrintStream(table, true, StandardCharsets.UTF_8), null, 0);
        final String live = table.toString(StandardCharsets.UTF_8);
        for (final String service : new String[]{"stats-tcp", "stats-udp"})
        {
            final Pattern row = Pattern.compile("\\n\\s+" + service + "\\s+\\S+ offload "
                + (service.equals("stats-tcp") ? "on" : "off") + " .* \\| latency p50 (\\d+\\.\\d) us p99 "
                + "(\\d+\\.\\d) us \\| backends");
            final Matcher found = row.matcher(live);
            assertTrue(found.find() && Double.parseDouble(found.group(1)) > 0
                && Double.parseDouble(found.group(2)) >= Double.parseDouble(found.group(1)), row + " in\n" + live);
        }
    }

    @Test
    @Order(4)
    void theJournalHoldsEveryConnectionOfTheRunAfterARestart() throws Exception
    {
        assertEquals(2 * CONNECTIONS + 2 * DATAGRAMS, run.size() * 2, "the run of the first test");
        final FlowJournal journal = node.journal();
        Await.until("the journal appended what was written", () -> journal.appended() == journal.written());
        assertEquals(0, journal.droppedRingFull());
        // A connection still open when the node stops: the proxy closes its flow on the way out, so it is journaled.
        final LabHost holder = lab.clients().get(1);
        final Socket held = holder.namespace().call(() ->
        {
            final Socket s = new Socket();
            s.connect(new InetSocketAddress(L4Lab.vip4(3), 80), (int)TIMEOUT.toMillis());
            return s;
        });
        final String heldClient = "tcp " + holder.link().ipv4().getHostAddress() + ":" + held.getLocalPort();
        try (held)
        {
            Await.until("the held connection's flow", () -> node.proxy().flows() == 1);
            node.close(); // the proxy (closing its flows), then the journal: the queue is closed
            node = null;
        }

        final Map<String, List<FlowRecord>> byClient = new HashMap<>();
        try (FlowJournalReader reader = FlowJournalReader.open(journalDir))
        {
            reader.read(FlowJournalReader.Query.ALL, r ->
            {
                if (r.client() != null && r.type() != FlowRecordType.DROP)
                {
                    byClient.computeIfAbsent(r.protocolName() + " " + r.client(), k -> new ArrayList<>()).add(r);
                }
            });
        }
        final Map<String, String> backendAddresses = new HashMap<>();
        for (final LabHost b : lab.backends())
        {
            backendAddresses.put(b.name(), b.link().ipv4().getHostAddress());
        }
        for (final Connection c : run)
        {
            final List<FlowRecord> records = byClient.getOrDefault(c.protocol() + " " + c.client() + ":" + c.port(),
                List.of());
            assertEquals(List.of(FlowRecordType.OPEN, FlowRecordType.CLOSE),
                records.stream().map(FlowRecord::type).toList(), c + ": " + records);
            final FlowRecord close = records.get(1);
            assertEquals(c.protocol().equals("tcp") ? "stats-tcp" : "stats-udp", close.service());
            assertEquals(backendAddresses.get(c.backend()), close.backend().address().toString(), c.toString());
            assertEquals(L4Lab.vip4(3).getHostAddress(), close.vip().address().toString());
            if (c.protocol().equals("udp"))
            {
                assertEquals(1, close.packetsToBackend());
                assertEquals(1, close.packetsToClient());
            }
            else
            {
                // SYN, ACK, data, FIN, ... each way at least three
                assertTrue(close.packetsToBackend() >= 3 && close.packetsToClient() >= 3, close.toLine());
            }
            assertTrue(!close.duration().isNegative() && close.duration().compareTo(Duration.ofSeconds(5)) < 0,
                close.toLine());
            assertTrue(!close.time().isBefore(records.get(0).time()), "closed after it opened");
        }
        final List<FlowRecord> heldRecords = byClient.remove(heldClient);
        assertEquals(List.of(FlowRecordType.OPEN, FlowRecordType.CLOSE), heldRecords == null ? List.of()
            : heldRecords.stream().map(FlowRecord::type).toList(), heldClient + " in " + byClient.keySet());
        assertEquals(run.size(), byClient.size(), "no records of other flows");

        // marchproxy journal tail prints them, filtered by service.
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final PrintStream stdout = System.out;
        final int status;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try
        {
            status = MarchproxyCommand.execute("journal", "tail", "--dir", journalDir.toString(), "--service",
                "stats-udp", "--since", "1h");
        }
        finally
        {
            System.setOut(stdout);
        }
        assertEquals(0, status, out.toString(StandardCharsets.UTF_8));
        final List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2 * DATAGRAMS, lines.size(), String.join("\n", lines));
        assertTrue(lines.stream().allMatch(l -> l.contains(" udp stats-udp ")), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.contains(" close udp stats-udp ") && l.contains(" packets 1/1 ")),
            String.join("\n", lines));
    }
}
