package io.marchproxy.node.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.marchproxy.control.RestTls;
import io.marchproxy.control.config.ResolvedConfig;
import io.marchproxy.control.rest.TestPlane;
import io.marchproxy.control.xds.TestPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's REST client against a real control plane serving REST over TLS (a test CA): with the CA file it
 * registers, fetches and long-polls the configuration, and heartbeats; the configuration it reads is exactly the one
 * the control plane resolves in process (every field of services, mappings and certificates, secrets included);
 * without the CA, the handshake fails as a transport error; a refused key is a refusal with the server's reason,
 * and no message carries the key.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ControlClientTest
{
    private static Path dir;
    private static TestPki pki;
    private static TestPlane plane;
    private static String admin;
    private static String clusterId;
    private static String key;
    private static ControlClient client;

    @BeforeAll
    static void start() throws Exception
    {
        dir = Files.createTempDirectory("marchproxy-control-client");
        pki = TestPki.issue(dir, "127.0.0.1");
        final Path cert = Files.writeString(dir.resolve("server.crt"), pki.leafPem());
        final Path serverKey = Files.writeString(dir.resolve("server.key"), pki.leafKeyPem());
        plane = new TestPlane(TestPlane.settings(dir.resolve("store"), "", TestPlane.ADMIN_PASSWORD)
            .withTls(new RestTls(cert, serverKey)), false);
        Files.writeString(dir.resolve("ca.pem"), pki.caPem());
        client = ControlClient.create(base(), dir.resolve("ca.pem"));
        admin = token();
        final JsonNode cluster = call("POST", "/api/v1/clusters", "{\"name\":\"edge\",\"defaultPolicy\":\"deny\"}");
        clusterId = cluster.get("id").asText();
        key = cluster.get("apiKey").asText();
    }

    @AfterAll
    static void stop() throws IOException
    {
        client.close();
        plane.close();
        TestPlane.deleteTree(dir);
    }

    private static URI base()
    {
        return URI.create("https://127.0.0.1:" + plane.plane.port());
    }

    /** TestPlane's own client speaks plain http: the admin's calls go through a client trusting the test CA. */
    private static String token() throws Exception
    {
        return send("POST", "/api/v1/auth/login", null, "{\"username\":\"admin\",\"password\":\""
            + TestPlane.ADMIN_PASSWORD + "\"}").get("token").asText();
    }

    private static JsonNode call(final String method, final String path, final String body) throws Exception
    {
        return send(method, path, admin, body);
    }

    private static JsonNode send(final String method, final String path, final String token, final String body)
        throws Exception
    {
        final java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
            .sslContext(pki.clientContext()).build();
        final java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(base().resolve(path))
            .header("Content-Type", "application/json")
            .method(method, java.net.http.HttpRequest.BodyPublishers.ofString(body));
        if (token != null)
        {
            b.header("Authorization", "Bearer " + token);
        }
        final java.net.http.HttpResponse<String> r = http.send(b.build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() == 200 || r.statusCode() == 201, r.statusCode() + " " + r.body());
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
    }

    @Test
    void theConfigurationReadOverHttpsIsTheOneTheControlPlaneResolves() throws Exception
    {
        final String tcp = call("POST", "/api/v1/services", "{\"name\":\"db\",\"clusterId\":\"" + clusterId
            + "\",\"address\":\"10.215.0.7\",\"port\":5432,\"portEnd\":5433,\"protocol\":\"tcp\",\"collection\":\"data\","
            + "\"loadBalancing\":\"least_connections\",\"backends\":[{\"address\":\"10.214.0.11\",\"port\":5432,"
            + "\"weight\":3},{\"address\":\"10.214.0.12\",\"port\":5432,\"enabled\":false}],\"healthCheck\":"
            + "{\"path\":\"/\",\"intervalSeconds\":7}}").get("id").asText();
        final com.fasterxml.jackson.databind.node.ObjectNode certificate = new com.fasterxml.jackson.databind
            .ObjectMapper().createObjectNode().put("name", "web").put("clusterId", clusterId)
            .put("certificatePem", pki.leafPem()).put("privateKeyPem", pki.leafKeyPem());
        call("POST", "/api/v1/certificates", certificate.toString());
        final String web = call("POST", "/api/v1/services", "{\"name\":\"web\",\"clusterId\":\"" + clusterId
            + "\",\"address\":\"127.0.0.1\",\"port\":443,\"protocol\":\"https\",\"auth\":{\"type\":\"jwt\","
            + "\"jwtSecret\":\"0123456789abcdef0123456789abcdef\"},\"backends\":[{\"address\":\"10.214.0.13\","
            + "\"port\":8443}]}").get("id").asText();
        call("POST", "/api/v1/qos", "{\"serviceId\":\"" + tcp + "\",\"egressMbps\":100,\"dscp\":46}");
        call("POST", "/api/v1/mappings", "{\"name\":\"clients\",\"clusterId\":\"" + clusterId + "\",\"sources\":"
            + "[\"10.213.0.0/24\",\"" + web + "\"],\"destinations\":[\"collection:data\"],\"protocols\":[\"tcp\"],"
            + "\"ports\":\"5432-5433\",\"action\":\"allow\",\"priority\":5}");
        final ResolvedConfig expected = plane.plane.publisher().resolve(clusterId).orElseThrow();
        final Optional<ResolvedConfig> got = client.config(key, clusterId, -1, Duration.ZERO);
        assertEquals(Optional.of(expected), got, "every field as the control plane resolved it");
        assertEquals(1, expected.certificates().size(), "with its private key");
        assertTrue(expected.services().size() >= 2, expected.services().toString());
    }

    @Test
    void registersLongPollsAndHeartbeatsOverHttps() throws Exception
    {
        final ControlClient.Registration r = client.register(key, "edge-1", "edge-1.lab", "192.0.2.10",
            List.of("l4", "af_xdp"));
        assertTrue(r.created());
        assertFalse(client.register(key, "edge-1", "edge-1.lab", "192.0.2.10", List.of("l4")).created(),
            "the same name again keeps its slot");
        final long version = client.config(key, clusterId, -1, Duration.ZERO).orElseThrow().version();
        assertEquals(Optional.empty(), client.config(key, clusterId, version, Duration.ZERO),
            "nothing changed after the version it has: 304");
        assertFalse(client.heartbeat(key, r.proxyId(), version, Map.of("rxPackets", 7L), List.of()));
        call("POST", "/api/v1/services", "{\"name\":\"dns\",\"clusterId\":\"" + clusterId + "\",\"address\":"
            + "\"10.215.0.8\",\"port\":53,\"protocol\":\"udp\"}");
        assertTrue(client.heartbeat(key, r.proxyId(), version, Map.of(), List.of("left out: x")),
            "the cluster changed after the version the proxy serves");
        final ResolvedConfig next = client.config(key, clusterId, version, Duration.ofSeconds(30)).orElseThrow();
        assertTrue(next.version() > version);
        final JsonNode proxy = send("GET", "/api/v1/proxies/" + r.proxyId(), admin, "");
        assertEquals("degraded", proxy.get("health").asText());
        assertEquals(version, proxy.get("lastConfigVersion").asLong());
    }

    @Test
    void withoutTheCaTheHandshakeFailsAndARefusedKeyIsARefusalWithoutTheKey() throws Exception
    {
        try (ControlClient untrusting = ControlClient.create(base(), null))
        {
            assertThrows(IOException.class, () -> untrusting.config(key, clusterId, -1, Duration.ZERO),
                "the test CA is not one the JDK trusts");
        }
        final String wrong = "mpk." + clusterId + ".this-is-not-the-secret";
        final ControlRefusedException refused = assertThrows(ControlRefusedException.class,
            () -> client.config(wrong, clusterId, -1, Duration.ZERO));
        assertEquals(401, refused.status());
        assertTrue(refused.keyRefused());
        assertFalse(refused.getMessage().contains("this-is-not-the-secret"), refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ControlClient.create(URI.create("http://127.0.0.1:1"),
            dir.resolve("ca.pem")), "a CA file is for https");
    }
}
