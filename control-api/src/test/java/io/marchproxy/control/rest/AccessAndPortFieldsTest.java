package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fields the L4 dataplane and Envoy need beyond services and mappings by id: a cluster's default policy, a
 * mapping's action and address sources, a service's port range and certificate; validated with the field named, and
 * carried into the resolved config as documented.
 */
class AccessAndPortFieldsTest {
    static TestPlane t;
    static String admin;
    static TestCertificates.Pem pem;

    @BeforeAll
    static void start() throws Exception {
        t = new TestPlane();
        admin = t.adminToken();
        Path dir = Files.createTempDirectory("marchproxy-fields");
        try {
            pem = TestCertificates.generate(dir, "f", "EC", 30, "www.fields.test");
        } finally {
            TestPlane.deleteTree(dir);
        }
    }

    @AfterAll
    static void stop() throws IOException {
        t.close();
    }

    private static void problem(TestPlane.Res r, int status, String field) {
        assertEquals(status, r.status(), r.text());
        assertEquals(field, r.json().get("field").asText(), r.text());
    }

    private static String created(TestPlane.Res r) {
        assertEquals(201, r.status(), r.text());
        return r.json().get("id").asText();
    }

    @Test
    void clustersDenyByDefaultUnlessToldToAllow() {
        assertEquals("deny", t.post("/api/v1/clusters", admin, "{\"name\":\"zt\"}").json()
                .get("defaultPolicy").asText());
        assertEquals("allow", t.post("/api/v1/clusters", admin, "{\"name\":\"open\",\"defaultPolicy\":\"allow\"}")
                .json().get("defaultPolicy").asText());
        problem(t.post("/api/v1/clusters", admin, "{\"name\":\"odd\",\"defaultPolicy\":\"maybe\"}"), 400,
                "defaultPolicy");
    }

    @Test
    void mappingSourcesMayBePrefixesStoredCanonicalAndActionsAllowOrDeny() {
        String c = t.cluster(admin, "prefixes")[0];
        String web = t.service(admin, c, "prefix-web", "default");
        TestPlane.Res m = t.post("/api/v1/mappings", admin, "{\"name\":\"nets\",\"clusterId\":\"" + c + "\","
                + "\"sources\":[\"10.1.2.3/16\",\"2001:DB8:0::1\",\"" + web + "\",\"10.1.0.0/16\"],"
                + "\"destinations\":[\"" + web + "\"],\"protocols\":[\"http\"],\"ports\":\"8080\","
                + "\"action\":\"deny\"}");
        assertEquals(201, m.status(), m.text());
        assertEquals(List.of("10.1.0.0/16", "2001:db8::1/128", web), texts(m.json().get("sources")),
                "canonical, and a duplicate after canonicalisation listed once");
        assertEquals("deny", m.json().get("action").asText());
        assertEquals("allow", t.post("/api/v1/mappings", admin, "{\"name\":\"plain\",\"clusterId\":\"" + c + "\","
                + "\"sources\":[\"all\"],\"destinations\":[\"all\"],\"protocols\":[\"tcp\"],\"ports\":\"1\"}")
                .json().get("action").asText());

        String base = "{\"name\":\"bad\",\"clusterId\":\"" + c + "\",\"destinations\":[\"all\"],\"protocols\":"
                + "[\"tcp\"],\"ports\":\"1\",";
        for (String bad : List.of("10.0.0.256", "10.0.0.1/33", "2001:db8::/129", "::ffff:10.0.0.1", "10.0/8")) {
            problem(t.post("/api/v1/mappings", admin, base + "\"sources\":[\"all\",\"" + bad + "\"]}"), 422,
                    "sources[1]");
        }
        problem(t.post("/api/v1/mappings", admin, base.replace("\"destinations\":[\"all\"]",
                "\"destinations\":[\"10.0.0.0/8\"]") + "\"sources\":[\"all\"]}"), 400, "destinations[0]");
        problem(t.post("/api/v1/mappings", admin, base + "\"sources\":[\"all\"],\"action\":\"block\"}"), 400,
                "action");
    }

    @Test
    void tcpAndUdpServicesTakePortRangesHttpDoesNot() {
        String c = t.cluster(admin, "ranges")[0];
        String svc = "{\"name\":\"%s\",\"clusterId\":\"" + c + "\",\"address\":\"10.0.0.1\",\"port\":%d,"
                + "\"portEnd\":%d,\"protocol\":\"%s\"}";
        TestPlane.Res range = t.post("/api/v1/services", admin, svc.formatted("rtp", 5000, 5010, "udp"));
        assertEquals(201, range.status(), range.text());
        assertEquals(5010, range.json().get("portEnd").asInt());
        TestPlane.Res single = t.post("/api/v1/services", admin, "{\"name\":\"one\",\"clusterId\":\"" + c
                + "\",\"address\":\"10.0.0.1\",\"port\":80,\"protocol\":\"http\"}");
        assertTrue(single.json().get("portEnd").isNull(), single.text());
        problem(t.post("/api/v1/services", admin, svc.formatted("web", 8080, 8081, "http")), 422, "portEnd");
        problem(t.post("/api/v1/services", admin, svc.formatted("web", 8080, 8080, "https")), 422, "portEnd");
        problem(t.post("/api/v1/services", admin, svc.formatted("down", 6000, 5999, "tcp")), 422, "portEnd");
        problem(t.post("/api/v1/services", admin, svc.formatted("far", 6000, 70000, "tcp")), 400, "portEnd");
        TestPlane.Res overlap = t.post("/api/v1/services", admin, svc.formatted("rtcp", 5005, 5005, "udp"));
        problem(overlap, 409, "port");
        assertTrue(overlap.json().get("detail").asText().contains("rtp"), overlap.text());
        created(t.post("/api/v1/services", admin, svc.formatted("rtcp", 5011, 5020, "udp")));
        created(t.post("/api/v1/services", admin, svc.formatted("rtp-tcp", 5000, 5010, "tcp")));
    }

    @Test
    void aServiceNamesACertificateOfItsOwnClusterAndTheResolvedConfigCarriesTheNewFields() {
        String[] cluster = t.cluster(admin, "resolved");
        String c = cluster[0];
        String other = t.cluster(admin, "resolved-other")[0];
        String cert = created(t.post("/api/v1/certificates", admin, ServiceRulesTest.certificate("f", c, pem)));
        String foreign = created(t.post("/api/v1/certificates", admin, ServiceRulesTest.certificate("f-other",
                other, pem)));
        String https = "{\"name\":\"%s\",\"clusterId\":\"" + c + "\",\"address\":\"10.0.0.9\",\"port\":443,"
                + "\"protocol\":\"https\",\"certificateId\":\"%s\"}";
        problem(t.post("/api/v1/services", admin, https.formatted("lost", "no-such-certificate")), 422,
                "certificateId");
        problem(t.post("/api/v1/services", admin, https.formatted("foreign", foreign)), 422, "certificateId");
        String tls = created(t.post("/api/v1/services", admin, https.formatted("tls", cert)));
        String src = created(t.post("/api/v1/services", admin, "{\"name\":\"src\",\"clusterId\":\"" + c
                + "\",\"address\":\"2001:DB8::7\",\"port\":9000,\"portEnd\":9003,\"protocol\":\"tcp\"}"));
        created(t.post("/api/v1/mappings", admin, "{\"name\":\"to-tls\",\"clusterId\":\"" + c + "\",\"sources\":"
                + "[\"192.0.2.0/24\",\"" + src + "\"],\"destinations\":[\"" + tls + "\"],\"protocols\":[\"https\"],"
                + "\"ports\":\"443\",\"action\":\"deny\",\"priority\":5}"));

        JsonNode cfg = t.get("/api/v1/config/" + c, null, "X-Cluster-Key", cluster[1]).json();
        assertEquals("deny", cfg.get("settings").get("defaultPolicy").asText());
        for (JsonNode s : cfg.get("services")) {
            if (s.get("id").asText().equals(tls)) {
                assertEquals(cert, s.get("certificateId").asText(), "the certificate it presents");
                assertEquals(443, s.get("portEnd").asInt(), "a single port ends where it starts");
            } else {
                assertTrue(s.get("certificateId").isNull(), "no TLS, no certificate: " + s);
                assertEquals(9003, s.get("portEnd").asInt());
            }
        }
        JsonNode mapping = cfg.get("mappings").get(0);
        assertEquals("deny", mapping.get("action").asText());
        assertEquals(List.of("192.0.2.0/24", "2001:db8::7/128"), texts(mapping.get("sourcePrefixes")),
                "the prefixes, then the source service's address, canonical");
        assertEquals(List.of(src), texts(mapping.get("sourceServiceIds")));
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
