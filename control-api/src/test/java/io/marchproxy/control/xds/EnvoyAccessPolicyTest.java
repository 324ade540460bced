package io.marchproxy.control.xds;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Mappings and the cluster default policy as a real Envoy applies them, for a tcp and an http service, with clients
 * on two loopback source addresses (127.0.0.1 and 127.0.0.2): deny by default until a mapping admits a client (and
 * again once the last mapping is gone), allow by default until a deny mapping matches, and the first matching mapping
 * in priority order deciding when allow and deny mappings overlap.
 */
@Timeout(180)
class EnvoyAccessPolicyTest {
    private static final String ONE = "127.0.0.1";
    private static final String TWO = "127.0.0.2";

    private static XdsLab lab;
    private static Backends backends;

    @BeforeAll
    static void boot() throws Exception {
        EnvoyProcess.binary();
        lab = new XdsLab();
        backends = new Backends();
        lab.cluster("zero-trust", "deny");
        lab.cluster("open", "allow");
    }

    @AfterAll
    static void shutdown() throws Exception {
        try (XdsLab l = lab; Backends b = backends) {
            // closed in reverse order of creation
        }
    }

    /** A tcp echo service and an http service on loopback in {@code cluster}: their ports. */
    private record Pair(String tcpId, int tcp, String httpId, int http) {
    }

    private static Pair services(String clusterId, String prefix) throws IOException {
        int echo = backends.echo();
        int web = backends.http(prefix + "-web");
        int tcp = Backends.freePort();
        int http = Backends.freePort();
        String tcpId = lab.create("/api/v1/services", EnvoyProxyTest.service(prefix + "-echo", clusterId, tcp,
                "tcp", echo));
        String httpId = lab.create("/api/v1/services", EnvoyProxyTest.service(prefix + "-web", clusterId, http,
                "http", web));
        return new Pair(tcpId, tcp, httpId, http);
    }

    private static String mapping(String name, String clusterId, String action, int priority, String source,
                                  Pair to) {
        return lab.create("/api/v1/mappings", "{\"name\":\"" + name + "\",\"clusterId\":\"" + clusterId + "\","
                + "\"sources\":[\"" + source + "\"],\"destinations\":[\"" + to.tcpId() + "\",\"" + to.httpId()
                + "\"],\"protocols\":[\"tcp\",\"http\"],\"ports\":\"" + to.tcp() + "," + to.http() + "\","
                + "\"action\":\"" + action + "\",\"priority\":" + priority + "}");
    }

    /** Waits until each client address is admitted ({@code true}) or refused as listed, over tcp and http. */
    private static void await(EnvoyProcess e, String what, Pair p, boolean one, boolean two) {
        e.await(what, Duration.ofSeconds(15), () -> admitted(ONE, p) == one && admitted(TWO, p) == two
                && refusedConsistently(ONE, p, one) && refusedConsistently(TWO, p, two));
    }

    /** Both protocols agree: admitted over tcp and http, or refused over both. */
    private static boolean admitted(String source, Pair p) {
        boolean tcp = echoes(source, p.tcp());
        int http = httpStatus(source, p.http());
        return tcp && http == 200;
    }

    private static boolean refusedConsistently(String source, Pair p, boolean admitted) {
        return admitted || (!echoes(source, p.tcp()) && httpStatus(source, p.http()) == 403);
    }

    @Test
    void denyByDefaultAdmitsOnlyWhatAMappingAdmitsAndDeletingTheLastMappingClosesAgain() throws Exception {
        String cluster = lab.xds().clusterByIdOrName("zero-trust").orElseThrow().id();
        try (EnvoyProcess e = lab.envoy("zero-trust", "envoy-zero-trust")) {
            Pair p = services(cluster, "zt");
            await(e, "no mapping: nobody admitted (tcp closed, http 403)", p, false, false);
            String admitOne = mapping("zt-admit-one", cluster, "allow", 100, ONE, p);
            await(e, "127.0.0.1 admitted by its mapping, 127.0.0.2 still not", p, true, false);
            assertEquals(204, lab.send("DELETE", "/api/v1/mappings/" + admitOne, null).status());
            await(e, "the last mapping deleted: nobody admitted again", p, false, false);

            // First match in priority order: a deny of higher priority beats a wider allow...
            String deny = mapping("zt-deny-one", cluster, "deny", 10, ONE + "/32", p);
            String allow = mapping("zt-allow-all", cluster, "allow", 20, "127.0.0.0/8", p);
            await(e, "deny 127.0.0.1 (priority 10) before allow 127.0.0.0/8 (20)", p, false, true);
            // ... and an allow of higher priority beats a wider deny.
            assertEquals(204, lab.send("DELETE", "/api/v1/mappings/" + deny, null).status());
            assertEquals(204, lab.send("DELETE", "/api/v1/mappings/" + allow, null).status());
            mapping("zt-allow-one", cluster, "allow", 10, ONE, p);
            mapping("zt-deny-all", cluster, "deny", 20, "127.0.0.0/8", p);
            await(e, "allow 127.0.0.1 (priority 10) before deny 127.0.0.0/8 (20)", p, true, false);
        }
    }

    @Test
    void allowByDefaultAdmitsEveryoneUntilADenyMappingMatches() throws Exception {
        String cluster = lab.xds().clusterByIdOrName("open").orElseThrow().id();
        try (EnvoyProcess e = lab.envoy("open", "envoy-open")) {
            Pair p = services(cluster, "op");
            await(e, "no mapping: everyone admitted", p, true, true);
            String denyTwo = mapping("op-deny-two", cluster, "deny", 100, TWO + "/32", p);
            await(e, "127.0.0.2 denied by its mapping, 127.0.0.1 still admitted", p, true, false);
            assertEquals(204, lab.send("DELETE", "/api/v1/mappings/" + denyTwo, null).status());
            await(e, "the deny mapping deleted: everyone admitted again", p, true, true);

            String deny = mapping("op-deny-one", cluster, "deny", 10, ONE, p);
            String allow = mapping("op-allow-all", cluster, "allow", 20, "127.0.0.0/8", p);
            await(e, "deny 127.0.0.1 (priority 10) before allow 127.0.0.0/8 (20)", p, false, true);
            assertEquals(204, lab.send("DELETE", "/api/v1/mappings/" + deny, null).status());
            assertEquals(204, lab.send("DELETE", "/api/v1/mappings/" + allow, null).status());
            mapping("op-allow-one", cluster, "allow", 10, ONE, p);
            mapping("op-deny-all", cluster, "deny", 20, "127.0.0.0/8", p);
            await(e, "allow 127.0.0.1 (priority 10) before deny 127.0.0.0/8 (20)", p, true, false);
        }
    }

    /** True if 4 KiB sent from {@code source} come back through the tcp service. */
    static boolean echoes(String source, int port) {
        byte[] payload = new byte[4096];
        Arrays.fill(payload, (byte) 7);
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            s.connect(new InetSocketAddress(ONE, port), 1000);
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write(payload);
            out.flush();
            InputStream in = s.getInputStream();
            return Arrays.equals(payload, in.readNBytes(payload.length));
        } catch (IOException e) {
            return false;
        }
    }

    /** The status of {@code GET /} from {@code source}, -1 when the connection fails. */
    static int httpStatus(String source, int port) {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            s.connect(new InetSocketAddress(ONE, port), 1000);
            s.setSoTimeout(2000);
            s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + ONE + ":" + port
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return reply.startsWith("HTTP/1.1 ") ? Integer.parseInt(reply.substring(9, 12)) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
