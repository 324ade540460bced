package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.marchproxy.control.auth.ClusterKeys;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fills every resource with secrets, then reads every documented GET route (lists and each item) as an admin and
 * checks that no response contains a secret, a secret's stored hash, or a sealed value.
 */
class SecretLeakTest {
    @Test
    void noReadRouteRevealsASecret() throws Exception {
        Path certDir = Files.createTempDirectory("marchproxy-leak");
        try (TestPlane t = new TestPlane()) {
            String admin = t.adminToken();
            String[] c = t.cluster(admin, "leak");
            String token = "leak-token-" + java.util.UUID.randomUUID();
            String jwtSecret = "leak-jwt-secret-" + java.util.UUID.randomUUID();
            String userPassword = "leak-user-password";
            String svc = t.post("/api/v1/services", admin, "{\"name\":\"leak-svc\",\"clusterId\":\"" + c[0]
                    + "\",\"address\":\"10.0.0.1\",\"port\":80,\"protocol\":\"http\",\"auth\":{\"type\":\"base64\","
                    + "\"token\":\"" + token + "\"}}").json().get("id").asText();
            assertCreated(t.post("/api/v1/services", admin, "{\"name\":\"leak-jwt\",\"clusterId\":\"" + c[0]
                    + "\",\"address\":\"10.0.0.2\",\"port\":80,\"protocol\":\"http\",\"auth\":{\"type\":\"jwt\","
                    + "\"jwtSecret\":\"" + jwtSecret + "\"}}"));
            assertCreated(t.post("/api/v1/users", admin, "{\"username\":\"leaky\",\"role\":\"viewer\",\"password\":\""
                    + userPassword + "\"}"));
            TestCertificates.Pem pem = TestCertificates.generate(certDir, "leak", "EC", 30, "leak.test");
            com.fasterxml.jackson.databind.node.ObjectNode cert = TestPlane.JSON.createObjectNode()
                    .put("name", "leak-cert").put("clusterId", c[0]).put("certificatePem", pem.certificate())
                    .put("privateKeyPem", pem.privateKey());
            assertEquals(201, t.post("/api/v1/certificates", admin, cert.toString()).status());
            assertCreated(t.post("/api/v1/mappings", admin, "{\"name\":\"leak-map\",\"clusterId\":\"" + c[0]
                    + "\",\"sources\":[\"all\"],\"destinations\":[\"" + svc + "\"],\"protocols\":[\"tcp\"],"
                    + "\"ports\":\"80\"}"));
            assertCreated(t.post("/api/v1/qos", admin, "{\"serviceId\":\"" + svc + "\"}"));
            assertCreated(t.post("/api/v1/proxies/register", null, "{\"name\":\"leak-proxy\",\"hostname\":\"p.leak\","
                    + "\"address\":\"127.0.0.1\"}", "X-Cluster-Key", c[1]));

            String keyBody = pem.privateKey().lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
            List<String> secrets = List.of(c[1], ClusterKeys.hash(c[1]), token, jwtSecret, userPassword,
                    TestPlane.ADMIN_PASSWORD, keyBody, "pbkdf2-sha256$", "\"v1:");

            List<String> urls = new ArrayList<>();
            JsonNode doc = t.get("/openapi", null).json();
            for (Iterator<Map.Entry<String, JsonNode>> it = doc.get("paths").properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> p = it.next();
                if (!p.getValue().has("get") || p.getKey().startsWith("/api/v1/config")) {
                    continue; // the cluster config is the one place secrets go, to key holders
                }
                if (!p.getKey().contains("{")) {
                    urls.add(p.getKey());
                    TestPlane.Res listed = t.get(p.getKey() + (p.getKey().endsWith("/diff") ? "?from=0" : ""), admin);
                    if (!listed.header("Content-Type").startsWith("application/json")) {
                        continue; // /observe/metrics: checked below
                    }
                    for (JsonNode item : listed.json().path("items")) {
                        if (item.has("id") && p.getValue().get("get").path("parameters").size() > 0) {
                            urls.add(p.getKey() + "/" + item.get("id").asText());
                        }
                    }
                }
            }
            urls.add("/api/v1/versions/diff?from=0");
            urls.add("/api/v1/audit?limit=500");
            urls.add("/observe/metrics");
            int checked = 0;
            for (String url : urls) {
                TestPlane.Res r = t.get(url, admin);
                if (r.status() != 200) {
                    continue;
                }
                checked++;
                for (String s : secrets) {
                    assertTrue(!r.text().contains(s), "GET " + url + " reveals " + s);
                }
            }
            assertTrue(checked >= 20, "only " + checked + " responses checked: " + urls);
        } finally {
            TestPlane.deleteTree(certDir);
        }
    }

    /** Setup must really have stored the secret, or "not revealed" would hold vacuously. */
    private static void assertCreated(TestPlane.Res r) {
        assertEquals(201, r.status(), r.text());
    }
}
