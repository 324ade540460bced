package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.marchproxy.control.licence.Licence;
import io.marchproxy.control.licence.LicenceSigner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProxiesAndLicenceTest {
    TestPlane t;
    String admin;
    KeyPair vendor;

    @BeforeEach
    void start() throws Exception {
        vendor = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        t = new TestPlane(Files.createTempDirectory("marchproxy-licence"),
                Base64.getEncoder().encodeToString(vendor.getPublic().getEncoded()), "");
        admin = t.adminToken();
    }

    @AfterEach
    void stop() throws IOException {
        t.close();
    }

    static String licence(PrivateKey key, int maxProxies, Instant expires) {
        return new LicenceSigner(key).sign(new Licence("Acme", "enterprise", maxProxies, List.of("xds"), expires));
    }

    private TestPlane.Res register(String key, String name) {
        return t.post("/api/v1/proxies/register", null, "{\"name\":\"" + name + "\",\"hostname\":\"" + name
                + ".example.net\",\"address\":\"192.0.2.1\",\"version\":\"0.1.0\",\"capabilities\":[\"af_xdp\"]}",
                "X-Cluster-Key", key);
    }

    @Test
    void communityTierAllowsThreeProxiesAndEnterpriseLicenceRaisesIt() throws Exception {
        String[] a = t.cluster(admin, "a");
        assertEquals(200, t.put("/api/v1/clusters/" + a[0], admin, "{\"name\":\"a\",\"maxProxies\":10}").status());
        String[] b = t.cluster(admin, "b");
        assertEquals("community", t.get("/api/v1/licence", admin).json().get("tier").asText());
        assertEquals(201, register(a[1], "p1").status());
        assertEquals(201, register(a[1], "p2").status());
        assertEquals(201, register(b[1], "p3").status());
        TestPlane.Res refused = register(a[1], "p4");
        assertEquals(409, refused.status(), refused.text());
        assertEquals("licence.maxProxies", refused.json().get("field").asText());
        assertTrue(refused.json().get("detail").asText().contains("community"), refused.text());
        assertEquals(200, register(a[1], "p1").status(), "re-registering takes no new slot");

        TestPlane.Res bad = t.put("/api/v1/licence", admin, "{\"token\":\""
                + licence(KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate(), 50,
                Instant.now().plusSeconds(3600)) + "\"}");
        assertEquals(422, bad.status());
        assertEquals("token", bad.json().get("field").asText());
        TestPlane.Res expired = t.put("/api/v1/licence", admin, "{\"token\":\""
                + licence(vendor.getPrivate(), 50, Instant.now().minusSeconds(5)) + "\"}");
        assertEquals(422, expired.status());
        assertTrue(expired.json().get("detail").asText().contains("expired"));
        String operator = operatorToken();
        assertEquals(403, t.put("/api/v1/licence", operator, "{\"token\":\"a.b.c\"}").status());

        TestPlane.Res ok = t.put("/api/v1/licence", admin, "{\"token\":\""
                + licence(vendor.getPrivate(), 50, Instant.now().plusSeconds(3600)) + "\"}");
        assertEquals(200, ok.status(), ok.text());
        assertEquals("enterprise", ok.json().get("tier").asText());
        assertEquals(201, register(a[1], "p4").status());
        // the cluster's own maximum still applies
        assertEquals(200, t.put("/api/v1/clusters/" + b[0], admin, "{\"name\":\"b\",\"maxProxies\":1}").status());
        TestPlane.Res clusterFull = register(b[1], "p5");
        assertEquals(409, clusterFull.status());
        assertEquals("cluster.maxProxies", clusterFull.json().get("field").asText());

        assertEquals(200, t.delete("/api/v1/licence", admin).status());
        assertEquals(409, register(a[1], "p6").status(), "back to community: 4 registered already");
    }

    @Test
    void heartbeatsMakeProxiesActiveAndCarryMetrics() {
        String[] c = t.cluster(admin, "hb");
        String[] other = t.cluster(admin, "hb-other");
        assertEquals(401, register("mpk.bogus.key", "x").status());
        assertEquals(401, t.post("/api/v1/proxies/register", admin, "{\"name\":\"x\",\"hostname\":\"h\","
                + "\"address\":\"192.0.2.1\"}").status(), "users cannot register proxies");
        TestPlane.Res badBody = t.post("/api/v1/proxies/register", null, "{\"name\":\"x\",\"hostname\":\"h\","
                + "\"address\":\"300.1.1.1\"}", "X-Cluster-Key", c[1]);
        assertEquals(422, badBody.status(), "an address rule, beyond the published schema");
        assertEquals("address", badBody.json().get("field").asText());

        TestPlane.Res reg = register(c[1], "edge-1");
        assertEquals(201, reg.status(), reg.text());
        String id = reg.json().get("id").asText();
        assertEquals("pending", reg.json().get("status").asText());
        List<String> fields = new ArrayList<>();
        reg.json().fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("id", "name", "hostname", "address", "clusterId", "status", "version", "capabilities",
                "lastSeen", "lastConfigVersion", "revision", "createdAt", "updatedAt", "metrics", "health", "problems",
                "configCurrent", "configVersion"),
                fields, "the JSON shape from before status was derived");
        long version = reg.json().get("configVersion").asLong();

        TestPlane.Res wrongCluster = t.post("/api/v1/proxies/" + id + "/heartbeat", null, "{}", "X-Cluster-Key",
                other[1]);
        assertEquals(404, wrongCluster.status());
        TestPlane.Res badMetric = t.post("/api/v1/proxies/" + id + "/heartbeat", null,
                "{\"metrics\":{\"rxPackets\":-1}}", "X-Cluster-Key", c[1]);
        assertEquals(400, badMetric.status());
        assertEquals("metrics.rxPackets", badMetric.json().get("field").asText());
        TestPlane.Res hb = t.post("/api/v1/proxies/" + id + "/heartbeat", null, "{\"configVersion\":" + version
                + ",\"metrics\":{\"rxPackets\":1000,\"drops\":3}}", "X-Cluster-Key", c[1]);
        assertEquals(200, hb.status(), hb.text());
        assertEquals(false, hb.json().get("configChanged").asBoolean());
        t.service(admin, c[0], "after-hb", "default");
        assertTrue(t.post("/api/v1/proxies/" + id + "/heartbeat", null, "{\"configVersion\":" + version + "}",
                "X-Cluster-Key", c[1]).json().get("configChanged").asBoolean());

        JsonNode p = t.get("/api/v1/proxies/" + id, admin).json();
        assertEquals("active", p.get("status").asText());
        assertEquals(version, p.get("lastConfigVersion").asLong());
        // a config fetch that names the proxy records the version it got
        t.get("/api/v1/config/hb", null, "X-Cluster-Key", c[1], "X-Proxy-Id", id);
        assertEquals(version + 1, t.get("/api/v1/proxies/" + id, admin).json().get("lastConfigVersion").asLong());
        JsonNode list = t.get("/api/v1/proxies?status=active&clusterId=" + c[0], admin).json();
        assertEquals(1, list.get("total").asInt());
        assertTrue(t.get("/observe/metrics", null).text().contains("marchproxy_proxies{status=\"active\"} 1"));

        assertEquals(409, t.delete("/api/v1/clusters/" + c[0], admin).status(), "cluster has a proxy");
        assertEquals(401, t.delete("/api/v1/proxies/" + id, null).status());
        assertEquals(204, t.delete("/api/v1/proxies/" + id, admin).status());
        assertEquals(404, t.get("/api/v1/proxies/" + id, admin).status());
    }

    @Test
    void rotatedClusterKeyInvalidatesTheOldOne() {
        String[] c = t.cluster(admin, "rot");
        assertEquals(201, register(c[1], "r1").status());
        String newKey = t.post("/api/v1/clusters/" + c[0] + "/rotate-key", admin, null).json().get("apiKey").asText();
        assertEquals(401, t.get("/api/v1/config/rot", null, "X-Cluster-Key", c[1]).status());
        assertEquals(200, t.get("/api/v1/config/rot", null, "X-Cluster-Key", newKey).status());
        assertEquals(403, t.post("/api/v1/clusters/" + c[0] + "/rotate-key", operatorToken(), null).status());
    }

    private String operatorToken() {
        TestPlane.Res created = t.post("/api/v1/users", admin,
                "{\"username\":\"opal\",\"role\":\"operator\",\"password\":\"operator-pass-1\"}");
        assertEquals(201, created.status(), created.text());
        return t.login("opal", "operator-pass-1");
    }
}
