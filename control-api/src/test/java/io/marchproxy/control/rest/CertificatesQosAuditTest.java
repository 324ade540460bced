package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CertificatesQosAuditTest {
    static TestPlane t;
    static String admin;
    static TestCertificates.Pem ec;
    static TestCertificates.Pem rsaShort;
    static TestCertificates.Pem otherEc;

    @BeforeAll
    static void start() throws Exception {
        t = new TestPlane();
        admin = t.adminToken();
        Path dir = Files.createTempDirectory("marchproxy-certs");
        try {
            ec = TestCertificates.generate(dir, "ec", "EC", 365, "www.example.test");
            rsaShort = TestCertificates.generate(dir, "rsa", "RSA", 10, "soon.example.test");
            otherEc = TestCertificates.generate(dir, "ec2", "EC", 365, "other.example.test");
        } finally {
            TestPlane.deleteTree(dir);
        }
    }

    @AfterAll
    static void stop() throws IOException {
        t.close();
    }

    private static String body(String name, String cluster, String cert, String key) {
        ObjectNode n = TestPlane.JSON.createObjectNode();
        n.put("name", name).put("clusterId", cluster).put("certificatePem", cert).put("privateKeyPem", key);
        return n.toString();
    }

    @Test
    void certificatesAreParsedCheckedAndTheirKeysSealed() throws IOException {
        String[] c = t.cluster(admin, "tls");
        TestPlane.Res mismatch = t.post("/api/v1/certificates", admin, body("bad", c[0], ec.certificate(),
                otherEc.privateKey()));
        assertEquals(422, mismatch.status(), mismatch.text());
        assertEquals("privateKeyPem", mismatch.json().get("field").asText());
        TestPlane.Res wrongAlg = t.post("/api/v1/certificates", admin, body("bad", c[0], ec.certificate(),
                rsaShort.privateKey()));
        assertEquals(422, wrongAlg.status());
        TestPlane.Res notPem = t.post("/api/v1/certificates", admin, body("bad", c[0], "hello", ec.privateKey()));
        assertEquals(422, notPem.status());
        assertEquals("certificatePem", notPem.json().get("field").asText());
        TestPlane.Res garbage = t.post("/api/v1/certificates", admin, body("bad", c[0],
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", ec.privateKey()));
        assertEquals(422, garbage.status());

        TestPlane.Res ok = t.post("/api/v1/certificates", admin, body("www", c[0], ec.certificate(),
                ec.privateKey()));
        assertEquals(201, ok.status(), ok.text());
        JsonNode cert = ok.json();
        assertEquals("CN=www.example.test", cert.get("subject").asText());
        assertEquals("www.example.test", cert.get("subjectAltNames").get(0).asText());
        assertEquals("EC", cert.get("keyAlgorithm").asText());
        assertFalse(ok.text().contains("PRIVATE KEY"), "the key is never returned");
        assertFalse(cert.has("encryptedKey"));
        assertEquals(201, t.post("/api/v1/certificates", admin, body("soon", c[0], rsaShort.certificate(),
                rsaShort.privateKey())).status());

        JsonNode expiring = t.get("/api/v1/certificates/expiring?days=30", admin).json();
        assertEquals(1, expiring.get("total").asInt());
        assertEquals("soon", expiring.get("items").get(0).get("name").asText());
        assertEquals(400, t.get("/api/v1/certificates/expiring?days=-1", admin).status());

        // at rest: the journal holds only the sealed key
        String keyBody = ec.privateKey().lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
        try (Stream<Path> files = Files.walk(t.dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertFalse(content.contains(keyBody), "private key in clear in " + f);
            }
        }
        // proxies of the cluster get the key in clear, in their config
        JsonNode cfg = t.get("/api/v1/config/tls", null, "X-Cluster-Key", c[1]).json();
        assertEquals(2, cfg.get("certificates").size());
        boolean found = false;
        for (JsonNode e : cfg.get("certificates")) {
            found |= e.get("privateKeyPem").asText().equals(ec.privateKey());
        }
        assertTrue(found);
    }

    @Test
    void serviceAuthSecretsAreSealedAtRestAndOpenedForProxies() throws IOException {
        String[] c = t.cluster(admin, "secrets");
        String token = "static-token-" + java.util.UUID.randomUUID();
        String jwtSecret = "jwt-secret-" + java.util.UUID.randomUUID();
        TestPlane.Res b64 = t.post("/api/v1/services", admin, "{\"name\":\"tok\",\"clusterId\":\"" + c[0]
                + "\",\"address\":\"10.0.0.1\",\"port\":80,\"protocol\":\"http\",\"auth\":{\"type\":\"base64\","
                + "\"token\":\"" + token + "\"}}");
        assertEquals(201, b64.status(), b64.text());
        TestPlane.Res jwt = t.post("/api/v1/services", admin, "{\"name\":\"jwt\",\"clusterId\":\"" + c[0]
                + "\",\"address\":\"10.0.0.2\",\"port\":80,\"protocol\":\"http\",\"auth\":{\"type\":\"jwt\","
                + "\"jwtSecret\":\"" + jwtSecret + "\",\"jwtAlgorithm\":\"HS512\"}}");
        assertEquals(201, jwt.status(), jwt.text());
        assertFalse(b64.text().contains(token) || jwt.text().contains(jwtSecret), "secrets are write-only");
        assertFalse(t.get("/api/v1/services?clusterId=" + c[0], admin).text().contains(token));
        try (Stream<Path> files = Files.walk(t.dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertFalse(content.contains(token) || content.contains(jwtSecret), "secret in clear in " + f);
            }
        }
        String cfg = t.get("/api/v1/config/secrets", null, "X-Cluster-Key", c[1]).text();
        assertTrue(cfg.contains(token) && cfg.contains(jwtSecret), "proxies get them in clear");
    }

    @Test
    void qosPolicyPerService() {
        String[] c = t.cluster(admin, "q");
        String svc = t.service(admin, c[0], "qsvc", "default");
        TestPlane.Res bad = t.post("/api/v1/qos", admin, "{\"serviceId\":\"" + svc + "\",\"dscp\":64}");
        assertEquals(400, bad.status());
        assertEquals("dscp", bad.json().get("field").asText());
        assertEquals("priority", t.post("/api/v1/qos", admin, "{\"serviceId\":\"" + svc
                + "\",\"priority\":\"P9\"}").json().get("field").asText());
        assertEquals(422, t.post("/api/v1/qos", admin, "{\"serviceId\":\"missing\"}").status());
        TestPlane.Res ok = t.post("/api/v1/qos", admin, "{\"serviceId\":\"" + svc + "\",\"ingressMbps\":500,"
                + "\"burstKb\":256,\"priority\":\"P1\",\"maxLatencyMs\":20,\"dscp\":34}");
        assertEquals(201, ok.status(), ok.text());
        assertEquals(c[0], ok.json().get("clusterId").asText());
        assertEquals(409, t.post("/api/v1/qos", admin, "{\"serviceId\":\"" + svc + "\"}").status());
        assertEquals(409, t.delete("/api/v1/services/" + svc, admin).status(), "QoS policy refers to it");
        String qid = ok.json().get("id").asText();
        assertEquals(1, t.get("/api/v1/qos?serviceId=" + svc, admin).json().get("total").asInt());
        assertEquals(204, t.delete("/api/v1/qos/" + qid, admin, "If-Match", "\"1\"").status());
        assertEquals(204, t.delete("/api/v1/services/" + svc, admin).status());
    }

    @Test
    void auditRecordsWhoDidWhatWithVersions() {
        t.post("/api/v1/users", admin, "{\"username\":\"audrey\",\"role\":\"operator\",\"password\":\"audrey-password\"}");
        String op = t.login("audrey", "audrey-password");
        String cid = t.post("/api/v1/clusters", op, "{\"name\":\"audited\"}").json().get("id").asText();
        JsonNode log = t.get("/api/v1/audit?limit=2", admin).json();
        JsonNode latest = log.get("items").get(0);
        assertEquals("audrey", latest.get("actor").asText());
        assertEquals("cluster.create", latest.get("action").asText());
        assertEquals(latest.get("versionBefore").asLong() + 1, latest.get("versionAfter").asLong());
        assertEquals(cid, latest.get("changes").get(0).get("id").asText());
        assertEquals("user.create", log.get("items").get(1).get("action").asText());
        long next = log.get("nextBefore").asLong();
        JsonNode older = t.get("/api/v1/audit?limit=2&before=" + next, admin).json();
        assertTrue(older.get("items").get(0).get("seq").asLong() < next);
        assertEquals(403, t.get("/api/v1/audit", op).status());
        assertFalse(t.get("/api/v1/audit?limit=500", admin).text().contains("audrey-password"));
    }
}
