package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules that keep a working service from going offline silently: port clashes refused with 409 naming the other
 * service (the translator's listener rules, checked in the transaction), and certificate changes that would leave an
 * active TLS service without a certificate refused with 409 naming the service.
 */
class ServiceRulesTest {
    static TestPlane t;
    static String admin;
    static TestCertificates.Pem wwwA;
    static TestCertificates.Pem wwwB;
    static TestCertificates.Pem unrelated;

    @BeforeAll
    static void start() throws Exception {
        t = new TestPlane();
        admin = t.adminToken();
        Path dir = Files.createTempDirectory("marchproxy-rules");
        try {
            wwwA = TestCertificates.generate(dir, "a", "EC", 365, "www.rules.test", "-1d");
            wwwB = TestCertificates.generate(dir, "b", "EC", 365, "www.rules.test");
            unrelated = TestCertificates.generate(dir, "u", "EC", 365, "other.rules.test");
        } finally {
            TestPlane.deleteTree(dir);
        }
    }

    @AfterAll
    static void stop() throws IOException {
        t.close();
    }

    static String service(String name, String cluster, String address, int port, String protocol, String extra) {
        return "{\"name\":\"" + name + "\",\"clusterId\":\"" + cluster + "\",\"address\":\"" + address
                + "\",\"port\":" + port + ",\"protocol\":\"" + protocol + "\"" + extra + "}";
    }

    static String certificate(String name, String cluster, TestCertificates.Pem pem) {
        ObjectNode n = TestPlane.JSON.createObjectNode();
        n.put("name", name).put("clusterId", cluster).put("certificatePem", pem.certificate())
                .put("privateKeyPem", pem.privateKey());
        return n.toString();
    }

    private static String created(TestPlane.Res r) {
        assertEquals(201, r.status(), r.text());
        return r.json().get("id").asText();
    }

    private static void conflict(TestPlane.Res r, String field, String... named) {
        assertEquals(409, r.status(), r.text());
        assertEquals(field, r.json().get("field").asText(), r.text());
        for (String n : named) {
            assertTrue(r.json().get("detail").asText().contains(n), "409 names " + n + ": " + r.text());
        }
    }

    @Test
    void portClashesAreRefusedNamingTheOtherService() {
        String c = t.cluster(admin, "clashes")[0];
        String web = created(t.post("/api/v1/services", admin, service("web", c, "10.0.0.1", 8080, "http", "")));
        conflict(t.post("/api/v1/services", admin, service("db", c, "10.0.0.1", 8080, "tcp", "")), "port", "web",
                web);
        created(t.post("/api/v1/services", admin, service("web2", c, "10.0.0.1", 8080, "http", "")));
        created(t.post("/api/v1/services", admin, service("dns", c, "10.0.0.1", 8080, "udp", "")));
        created(t.post("/api/v1/services", admin, service("web3", c, "10.0.0.2", 8080, "http", "")));

        String pg = created(t.post("/api/v1/services", admin, service("pg", c, "10.0.0.1", 5432, "tcp", "")));
        conflict(t.post("/api/v1/services", admin, service("pg2", c, "10.0.0.1", 5432, "tcp", "")), "port", "pg");
        conflict(t.post("/api/v1/services", admin, service("pg3", c, "pg.internal", 5432, "tcp", "")), "port",
                "pg");
        String any = created(t.post("/api/v1/services", admin, service("any", c, "db.internal", 6000, "tcp",
                "")));
        conflict(t.post("/api/v1/services", admin, service("one", c, "10.0.0.9", 6000, "tcp", "")), "port", "any");
        created(t.post("/api/v1/services", admin, service("one", c, "10.0.0.9", 6001, "tcp", "")));

        String other = t.cluster(admin, "clashes-elsewhere")[0];
        created(t.post("/api/v1/services", admin, service("pg-elsewhere", other, "10.0.0.1", 5432, "tcp", "")));

        // An update is checked too, against every service but itself.
        assertEquals(200, t.put("/api/v1/services/" + pg, admin, service("pg", c, "10.0.0.1", 5432, "tcp",
                ",\"collection\":\"db\"")).status());
        conflict(t.put("/api/v1/services/" + any, admin, service("any", c, "db.internal", 5432, "tcp", "")),
                "port", "pg");
        // An inactive service holds no port until it is activated.
        String idle = created(t.post("/api/v1/services", admin, service("idle", c, "10.0.0.1", 5432, "tcp",
                ",\"active\":false")));
        conflict(t.put("/api/v1/services/" + idle, admin, service("idle", c, "10.0.0.1", 5432, "tcp", "")),
                "port", "pg");
    }

    @Test
    void anActiveTlsServiceNeedsACertificateAndAnUnrelatedOneCannotTakeItsOnlyOneAway() {
        String c = t.cluster(admin, "tls-rules")[0];
        conflict(t.post("/api/v1/services", admin, service("bare", c, "10.0.0.5", 443, "https", "")),
                "certificateId", "bare");
        String only = created(t.post("/api/v1/certificates", admin, certificate("only", c, unrelated)));
        String relying = created(t.post("/api/v1/services", admin, service("relying", c, "10.0.0.5", 443, "https",
                "")));
        // A second certificate would end "the cluster's only certificate" for relying: refused, naming it.
        conflict(t.post("/api/v1/certificates", admin, certificate("second", c, wwwA)), "clusterId", "relying",
                relying);
        conflict(t.delete("/api/v1/certificates/" + only, admin), "id", "relying", relying);
        // Named explicitly, the service no longer depends on the certificate being the only one.
        assertEquals(200, t.put("/api/v1/services/" + relying, admin, service("relying", c, "10.0.0.5", 443,
                "https", ",\"certificateId\":\"" + only + "\"")).status());
        String second = created(t.post("/api/v1/certificates", admin, certificate("second", c, wwwA)));
        conflict(t.delete("/api/v1/certificates/" + only, admin), "id", "relying", relying);
        // An inactive service presents nothing, but its certificateId still refers to the certificate.
        assertEquals(200, t.put("/api/v1/services/" + relying, admin, service("relying", c, "10.0.0.5", 443,
                "https", ",\"certificateId\":\"" + only + "\",\"active\":false")).status());
        conflict(t.delete("/api/v1/certificates/" + only, admin), "id", "relying", relying);
        assertEquals(204, t.delete("/api/v1/services/" + relying, admin).status());
        assertEquals(204, t.delete("/api/v1/certificates/" + only, admin).status());
        assertEquals(204, t.delete("/api/v1/certificates/" + second, admin).status());
    }

    @Test
    void aCertificateInUseCannotBeDeletedButARotatedOneCan() {
        String c = t.cluster(admin, "rotation-rules")[0];
        String a = created(t.post("/api/v1/certificates", admin, certificate("www-a", c, wwwA)));
        String www = created(t.post("/api/v1/services", admin, service("www", c, "www.rules.test", 443, "https",
                "")));
        conflict(t.delete("/api/v1/certificates/" + a, admin), "id", "www", www);
        String b = created(t.post("/api/v1/certificates", admin, certificate("www-b", c, wwwB)));
        // Replaced by a certificate for another name: www keeps www-b, so that is fine once, not twice.
        assertEquals(200, t.put("/api/v1/certificates/" + a, admin, certificate("www-a", c, unrelated)).status());
        conflict(t.put("/api/v1/certificates/" + b, admin, certificate("www-b", c, unrelated)), "certificatePem",
                "www", www);
        assertEquals(204, t.delete("/api/v1/certificates/" + a, admin).status(),
                "the newer certificate with the same SAN took over");
        conflict(t.delete("/api/v1/certificates/" + b, admin), "id", "www", www);
    }
}
