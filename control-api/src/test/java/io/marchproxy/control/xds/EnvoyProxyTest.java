package io.marchproxy.control.xds;

import com.fasterxml.jackson.databind.JsonNode;
import io.marchproxy.control.observe.Scrape;
import io.marchproxy.control.rest.TestPlane;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Envoy, booted from the bootstrap our REST API generates, configured only through our xDS server, proxying
 * to loopback backends for services created, changed and removed through REST.
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EnvoyProxyTest {
    private static XdsLab lab;
    private static Backends backends;
    private static EnvoyProcess envoy;
    private static String clusterId;
    private static TestPki pki;

    @BeforeAll
    static void boot() throws Exception {
        EnvoyProcess.binary();
        lab = new XdsLab();
        backends = new Backends();
        clusterId = lab.cluster("edge");
        envoy = lab.envoy("edge", "envoy-proxy-test");
        pki = TestPki.issue(Files.createDirectories(lab.dir.resolve("pki")), "127.0.0.1");
    }

    @AfterAll
    static void shutdown() throws Exception {
        try (XdsLab l = lab; Backends b = backends; EnvoyProcess e = envoy) {
            // closed in reverse order of creation
        }
    }

    /** A {@code protocol} service on 127.0.0.1:{@code port} with one loopback backend. */
    static String service(String name, String cluster, int port, String protocol, int backendPort) {
        return "{\"name\":\"" + name + "\",\"clusterId\":\"" + cluster + "\",\"address\":\"127.0.0.1\",\"port\":"
                + port + ",\"protocol\":\"" + protocol + "\",\"backends\":[{\"address\":\"127.0.0.1\",\"port\":"
                + backendPort + "}]}";
    }

    static String httpService(String name, int port, int backendPort, String extra) {
        return "{\"name\":\"" + name + "\",\"clusterId\":\"" + clusterId + "\",\"address\":\"127.0.0.1\","
                + "\"port\":" + port + ",\"protocol\":\"http\",\"backends\":[{\"address\":\"127.0.0.1\",\"port\":"
                + backendPort + "}]" + extra + "}";
    }

    /** Polls {@code port} until it serves {@code body}; returns how long that took. */
    static Duration awaitServed(int port, String authorization, String body) {
        long t0 = System.nanoTime();
        envoy.await("port " + port + " to serve " + body, Duration.ofSeconds(15),
                () -> Http1.get(port, authorization).ok(body));
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    @Test
    @Order(1)
    void proxiesHttpForAServiceCreatedThroughRest() throws Exception {
        int backend = backends.http("alpha");
        int port = Backends.freePort();
        lab.create("/api/v1/services", httpService("alpha", port, backend, ""));
        awaitServed(port, null, "alpha");
        assertEquals("alpha", Http1.get(port, null).body());
    }

    @Test
    @Order(2)
    void picksUpANewServiceAndStopsRoutingToARemovedOne() throws Exception {
        int backend = backends.http("beta");
        int port = Backends.freePort();
        String id = lab.create("/api/v1/services", httpService("beta", port, backend, ""));
        Duration added = awaitServed(port, null, "beta");
        System.out.println("xds propagation: REST create -> first request served by the new route: "
                + added.toMillis() + " ms");

        int second = backends.http("beta-v2");
        TestPlane.Res put = lab.send("PUT", "/api/v1/services/" + id, httpService("beta", port, second, ""));
        assertEquals(200, put.status(), put.text());
        Duration changed = awaitServed(port, null, "beta-v2");
        System.out.println("xds propagation: REST update -> first request served by the new backend: "
                + changed.toMillis() + " ms");

        assertEquals(204, lab.send("DELETE", "/api/v1/services/" + id, null).status());
        long t0 = System.nanoTime();
        envoy.await("port " + port + " to stop serving", Duration.ofSeconds(15),
                () -> Http1.get(port, null).status() != 200);
        System.out.println("xds propagation: REST delete -> listener gone: "
                + (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertNotEquals(200, Http1.get(port, null).status());
    }

    @Test
    @Order(3)
    void terminatesTlsWithACertificateUploadedThroughRest() throws Exception {
        lab.create("/api/v1/certificates", "{\"name\":\"loopback\",\"clusterId\":\"" + clusterId + "\","
                + "\"certificatePem\":" + json(pki.leafPem()) + ",\"privateKeyPem\":" + json(pki.leafKeyPem())
                + ",\"chainPem\":" + json(pki.caPem()) + "}");
        int backend = backends.http("secure");
        int port = Backends.freePort();
        lab.create("/api/v1/services", httpService("secure", port, backend, ",\"tls\":{\"enabled\":true,"
                + "\"verify\":false}").replace("\"protocol\":\"http\"", "\"protocol\":\"https\""));
        SSLContext client = pki.clientContext();
        envoy.await("TLS on port " + port, Duration.ofSeconds(15),
                () -> Http1.get(client, port, null).ok("secure"));
        assertNotEquals(200, Http1.get(port, null).status(), "plain HTTP is not served on a TLS port");
        SSLContext untrusting = SSLContext.getInstance("TLS");
        untrusting.init(null, null, null);
        assertEquals(-1, Http1.get(untrusting, port, null).status(), "the default trust store does not know our CA");
    }

    @Test
    @Order(4)
    void verifiesBackendsOverTlsAgainstTheCertificateChainWhenVerifyIsSet() throws Exception {
        int trusted = backends.https("verified", pki.serverContext());
        TestPki stranger = TestPki.issue(Files.createDirectories(lab.dir.resolve("pki-stranger")), "127.0.0.1");
        int untrusted = backends.https("impostor", stranger.serverContext());
        int port = Backends.freePort();
        int port2 = Backends.freePort();
        String tls = ",\"tls\":{\"enabled\":true,\"verify\":true}";
        lab.create("/api/v1/services", httpService("verified", port, trusted, tls)
                .replace("\"protocol\":\"http\"", "\"protocol\":\"https\""));
        String impostor = lab.create("/api/v1/services", httpService("impostor", port2, untrusted, tls)
                .replace("\"protocol\":\"http\"", "\"protocol\":\"https\""));
        SSLContext client = pki.clientContext();
        try {
            envoy.await("verified upstream TLS on port " + port, Duration.ofSeconds(15),
                    () -> Http1.get(client, port, null).ok("verified"));
        } catch (AssertionError e) {
            throw new AssertionError(Http1.get(client, port, null) + "\n" + envoy.admin("/stats?filter=ssl"), e);
        }
        String failVerify = "cluster." + XdsNames.cluster(impostor) + ".ssl.fail_verify_error";
        envoy.await("the impostor's certificate to be refused on port " + port2, Duration.ofSeconds(15), () -> {
            Http1.Reply r = Http1.get(client, port2, null);
            return r.status() == 503 && envoy.stat(failVerify) > 0;
        });
        long refused = envoy.stat(failVerify);
        Http1.Reply again = Http1.get(client, port2, null);
        assertEquals(503, again.status(), "a backend our CA did not sign is refused: " + again.body());
        assertTrue(envoy.stat(failVerify) > refused, "each connection to it fails certificate verification");
    }

    @Test
    @Order(5)
    void requiresAValidJwtOnAJwtService() throws Exception {
        String secret = "jwt-secret-for-the-envoy-test-0123456789";
        int backend = backends.http("guarded");
        int port = Backends.freePort();
        lab.create("/api/v1/services", httpService("guarded", port, backend, ",\"auth\":{\"type\":\"jwt\","
                + "\"jwtSecret\":\"" + secret + "\",\"jwtAlgorithm\":\"HS256\"}"));
        String good = "Bearer " + hs256(secret, Instant.now().plusSeconds(600));
        awaitServed(port, good, "guarded");
        assertEquals(401, Http1.get(port, null).status(), "no token");
        assertEquals(401, Http1.get(port, "Bearer " + hs256("another-secret-of-enough-length-0123456",
                Instant.now().plusSeconds(600))).status(), "wrong key");
        assertEquals(401, Http1.get(port, "Bearer " + hs256(secret, Instant.now().minusSeconds(600))).status(),
                "expired");
        assertEquals(200, Http1.get(port, good).status());
    }

    @Test
    @Order(6)
    void proxiesRawTcpForATcpService() throws Exception {
        int echo = backends.echo();
        int port = Backends.freePort();
        lab.create("/api/v1/services", httpService("echo", port, echo, "")
                .replace("\"protocol\":\"http\"", "\"protocol\":\"tcp\""));
        byte[] payload = new byte[4096];
        new java.util.Random(7).nextBytes(payload);
        envoy.await("tcp echo through port " + port, Duration.ofSeconds(15), () -> echoes(port, payload));
    }

    private static boolean echoes(int port, byte[] payload) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write(payload);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] back = in.readNBytes(payload.length);
            assertArrayEquals(payload, back);
            return true;
        } catch (java.io.IOException | AssertionError e) {
            return false;
        }
    }

    @Test
    @Order(7)
    void keepsServingWithoutTheControlPlaneAndResumesWithoutReloadingUnchangedConfig() throws Exception {
        int backend = backends.http("steady");
        int port = Backends.freePort();
        lab.create("/api/v1/services", httpService("steady", port, backend, ""));
        awaitServed(port, null, "steady");
        envoy.await("every xDS type ACKed at the served versions", Duration.ofSeconds(10), this::settled);
        Map<String, Long> before = updates();

        lab.stop();
        envoy.await("Envoy to notice the control plane is gone", Duration.ofSeconds(10),
                () -> envoy.stat("control_plane.connected_state") == 0);
        for (int i = 0; i < 5; i++) {
            assertEquals("steady", Http1.get(port, null).body(), "serves its last config while disconnected");
        }

        lab.restart();
        envoy.await("Envoy to reconnect", Duration.ofSeconds(15),
                () -> envoy.stat("control_plane.connected_state") == 1);
        envoy.await("the node to be listed again", Duration.ofSeconds(10),
                () -> lab.xds().nodes().stream().anyMatch(n -> n.nodeId().equals("envoy-proxy-test")));
        // Issue 9, item 7: after the restart the node shows the versions it resumed with, before any change.
        envoy.await("the node to show what it holds after the restart", Duration.ofSeconds(10), this::settled);
        EnvoyNode resumed = lab.xds().nodes().stream().filter(n -> n.nodeId().equals("envoy-proxy-test"))
                .findFirst().orElseThrow();
        assertTrue(resumed.resumed().containsAll(java.util.List.of("cds", "lds")), resumed.toString());
        assertTrue(resumed.healthy(), resumed.toString());
        assertEquals("steady", Http1.get(port, null).body());

        // The next change is the sync point: once Envoy serves it, every response of the reconnect is behind it
        // on the same stream, so any reload on reconnect would show as counts above what this one change causes.
        int next = backends.http("after-restart");
        int port2 = Backends.freePort();
        String id = lab.create("/api/v1/services", httpService("after-restart", port2, next, ""));
        awaitServed(port2, null, "after-restart");
        Map<String, Long> expected = new TreeMap<>(before);
        // CDS and LDS: one response each, adding one cluster and one listener.
        expected.merge("cluster_manager.cds.update_success", 1L, Long::sum);
        expected.merge("cluster_manager.cluster_added", 1L, Long::sum);
        expected.merge("listener_manager.lds.update_success", 1L, Long::sum);
        expected.merge("listener_manager.listener_added", 1L, Long::sum);
        expected.merge("listener_manager.listener_create_success", 1L, Long::sum);
        // EDS and RDS: two responses each. The new snapshot version goes to the open watch (the old names), then
        // the new cluster and listener make Envoy ask for the new names, answered in full. Every existing
        // subscription counts both, the new cluster's and route's subscriptions only the second.
        before.forEach((k, v) -> {
            if (k.endsWith(".update_success") && (k.startsWith("cluster.svc_") || k.contains(".rds."))) {
                expected.put(k, v + 2);
            }
        });
        String listener = XdsNames.listener("http", "127.0.0.1", port2);
        for (String sub : new String[]{"cluster." + XdsNames.cluster(id), "http." + listener + ".rds." + listener}) {
            expected.put(sub + ".update_success", 1L);
            expected.put(sub + ".update_rejected", 0L);
        }
        assertEquals(expected, new TreeMap<>(updates()), "exactly the updates of the one change after the restart:"
                + " reconnecting with the same config must not push anything to Envoy");
    }

    @Test
    @Order(8)
    void reachesABackendNamedLocalhostThatListensOnIpv4Only() throws Exception {
        int backend = backends.http("by-name");
        int port = Backends.freePort();
        lab.create("/api/v1/services", httpService("by-name", port, backend, "")
                .replace("{\"address\":\"127.0.0.1\",\"port\":" + backend, "{\"address\":\"localhost\",\"port\":"
                        + backend));
        // STRICT_DNS with Envoy's default family resolves localhost to [::1] only, where nothing listens: 503.
        awaitServed(port, null, "by-name");
    }

    @Test
    @Order(9)
    void servesASmallTcpPortRangeOnEveryPortAndReportsAWideOneAsLeftOut() throws Exception {
        int echo = backends.echo();
        int base = Backends.freePorts(3);
        lab.create("/api/v1/services", service("range", clusterId, base, "tcp", echo)
                .replace("\"port\":" + base + ",", "\"port\":" + base + ",\"portEnd\":" + (base + 2) + ","));
        byte[] payload = "through every port of the range".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int port = base; port <= base + 2; port++) {
            int p = port;
            envoy.await("tcp echo through port " + p + " of the range", Duration.ofSeconds(15),
                    () -> echoes(p, payload));
        }

        int wide = Backends.freePorts(EnvoyTranslator.MAX_PORTS_PER_SERVICE + 1);
        String id = lab.create("/api/v1/services", service("wide", clusterId, wide, "tcp", echo)
                .replace("\"port\":" + wide + ",", "\"port\":" + wide + ",\"portEnd\":"
                        + (wide + EnvoyTranslator.MAX_PORTS_PER_SERVICE) + ","));
        envoy.await("the wide range reported as left out", Duration.ofSeconds(10), () -> lab.send("GET",
                "/api/v1/envoy/nodes", null).json().path("leftOut").path(clusterId).findValuesAsText("serviceId")
                .contains(id));
        JsonNode reported = lab.send("GET", "/api/v1/envoy/nodes", null).json().get("leftOut");
        String reason = "";
        int total = 0;
        for (var cluster : reported.properties()) {
            for (JsonNode l : cluster.getValue()) {
                total++;
                reason = l.get("serviceId").asText().equals(id) ? l.get("reason").asText() : reason;
            }
        }
        assertTrue(reason.contains("L4 dataplane"), reason);
        String metrics = lab.send("GET", "/observe/metrics", null).text();
        assertEquals(total, Scrape.parse(metrics).value("marchproxy_xds_services_left_out"), metrics);
        assertNotEquals(200, Http1.get(wide, null).status(), "no listener on the wide range");
    }

    /**
     * Envoy's counters of accepted and rejected xDS updates per subscription, and of listeners and clusters
     * (re)built. Attempts are left out: a reconnecting Envoy re-sends its requests, which is not a reload.
     */
    private static Map<String, Long> updates() {
        return envoy.stats().entrySet().stream()
                .filter(e -> e.getKey().endsWith(".update_success") || e.getKey().endsWith(".update_rejected")
                        || e.getKey().startsWith("listener_manager.listener_")
                        || e.getKey().equals("cluster_manager.cluster_added")
                        || e.getKey().equals("cluster_manager.cluster_modified"))
                .filter(e -> !e.getKey().contains("marchproxy_xds"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** True when the node ACKed the versions the server currently holds for every type. */
    private boolean settled() {
        JsonNode nodes = lab.send("GET", "/api/v1/envoy/nodes", null).json().get("nodes");
        var snap = lab.xds().snapshot(clusterId).orElseThrow();
        for (JsonNode n : nodes) {
            if (!n.get("nodeId").asText().equals("envoy-proxy-test")) {
                continue;
            }
            JsonNode acked = n.get("acked");
            Map<String, String> served = Map.of("cds", snap.clusters().version(), "lds", snap.listeners().version(),
                    "rds", snap.routes().version(), "eds", snap.endpoints().version(),
                    "sds", snap.secrets().version());
            boolean all = acked.has("cds") && acked.has("lds");
            for (var it = acked.fields(); it.hasNext(); ) {
                var e = it.next();
                all &= e.getValue().asText().equals(served.get(e.getKey()));
            }
            return all;
        }
        return false;
    }

    static String hs256(String secret, Instant exp) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(("{\"sub\":\"tester\",\"exp\":" + exp.getEpochSecond() + "}")
                .getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String sig = b64.encodeToString(mac.doFinal((header + "." + payload).getBytes(StandardCharsets.US_ASCII)));
        return header + "." + payload + "." + sig;
    }

    static String json(String s) {
        return com.fasterxml.jackson.databind.node.TextNode.valueOf(s).toString();
    }
}
