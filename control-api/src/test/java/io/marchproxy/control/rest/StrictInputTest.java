package io.marchproxy.control.rest;

import io.marchproxy.control.auth.TokenIssuerTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Input the server used to take in a lenient reading is refused, naming the field, and changes nothing: a key given
 * twice, JSON null for a field the schema gives a type, another string form of a valid access token. A value that
 * passes the published schema but not a rule it states in words is a 422, not a 400.
 */
class StrictInputTest {
    static TestPlane t;
    static String admin;
    static String clusterId;

    @BeforeAll
    static void start() throws IOException {
        t = new TestPlane();
        admin = t.adminToken();
        clusterId = t.cluster(admin, "strict")[0];
    }

    @AfterAll
    static void stop() throws IOException {
        t.close();
    }

    private static void refused(TestPlane.Res r, int status, String field, String message) {
        assertEquals(status, r.status(), r.text());
        assertEquals("application/problem+json", r.header("Content-Type"));
        assertEquals(field, r.json().get("field").asText(), r.text());
        assertTrue(r.json().get("errors").get(0).get("message").asText().contains(message), r.text());
    }

    @Test
    void aKeyGivenTwiceIsRefusedNamingIt() {
        refused(t.post("/api/v1/clusters", admin, "{\"name\":\"first\",\"name\":\"second\"}"), 400, "name",
                "duplicate key");
        refused(t.post("/api/v1/services", admin, "{\"name\":\"dup\",\"clusterId\":\"" + clusterId + "\","
                + "\"address\":\"10.0.0.1\",\"port\":80,\"protocol\":\"tcp\",\"backends\":[{\"address\":\"10.0.1.1\","
                + "\"port\":80},{\"address\":\"10.0.1.2\",\"port\":80,\"port\":81}]}"), 400, "backends[1].port",
                "duplicate key");
        refused(t.post("/api/v1/clusters", admin, "{\"name\":\"x\",\"logging\":{\"debug\":true,\"debug\":false}}"),
                400, "logging.debug", "duplicate key");
        assertEquals(0, t.get("/api/v1/clusters?name=first", admin).json().get("total").asInt());
        assertEquals(0, t.get("/api/v1/clusters?name=second", admin).json().get("total").asInt());
        assertEquals(0, t.get("/api/v1/services?name=dup", admin).json().get("total").asInt());
    }

    @Test
    void nullIsNotAValueOfATypedField() {
        refused(t.post("/api/v1/users", admin, "{\"username\":\"nully\",\"role\":\"viewer\",\"active\":null,"
                + "\"password\":\"nully-password-1\"}"), 400, "active", "must be a boolean, not null");
        assertEquals(0, t.get("/api/v1/users?username=nully", admin).json().get("total").asInt());
        refused(t.post("/api/v1/clusters", admin, "{\"name\":null}"), 400, "name", "must be a string, not null");
        refused(t.post("/api/v1/clusters", admin, "{\"name\":\"n\",\"logging\":null}"), 400, "logging",
                "must be an object, not null");

        TestPlane.Res before = t.get("/api/v1/clusters/" + clusterId, admin);
        refused(t.put("/api/v1/clusters/" + clusterId, admin, "{\"name\":\"strict\",\"description\":null,"
                + "\"maxProxies\":null}"), 400, "description", "not null");
        TestPlane.Res after = t.get("/api/v1/clusters/" + clusterId, admin);
        assertEquals(before.json(), after.json(), "a refused replace changes nothing");
    }

    @Test
    void aRuleBeyondThePublishedSchemaIs422WhileASchemaViolationStays400() {
        String mapping = "{\"name\":\"rules\",\"clusterId\":\"" + clusterId + "\",\"sources\":[\"all\"],"
                + "\"destinations\":[\"all\"],\"protocols\":[\"tcp\"],\"ports\":\"90-80\"";
        refused(t.post("/api/v1/mappings", admin, mapping + "}"), 422, "ports", "each 1-65535");
        refused(t.post("/api/v1/mappings", admin, mapping + ",\"priority\":\"high\"}"), 400, "ports", "each 1-65535");
        refused(t.post("/api/v1/services", admin, "{\"name\":\"rule\",\"clusterId\":\"" + clusterId + "\","
                + "\"address\":\"x..y\",\"port\":80,\"protocol\":\"tcp\"}"), 422, "address", "FQDN");
    }

    /** Lengths count characters as JSON Schema does: a character outside the BMP is one, though Java sees two. */
    @Test
    void lengthsCountCharactersNotUtf16Units() {
        String six = "\uD83D\uDE00".repeat(6);
        refused(t.post("/api/v1/users", admin, "{\"username\":\"astral\",\"role\":\"viewer\",\"password\":\""
                + six + "\"}"), 400, "password", "length must be between 12 and 128");
        assertEquals(201, t.post("/api/v1/users", admin, "{\"username\":\"astral\",\"role\":\"viewer\","
                + "\"password\":\"" + six + six + "\"}").status());
    }

    @Test
    void anotherStringOfAValidTokenIs401() {
        String token = t.login("admin", TestPlane.ADMIN_PASSWORD);
        assertEquals(200, t.get("/api/v1/clusters", token).status());
        for (String variant : TokenIssuerTest.variantsOf(token)) {
            TestPlane.Res r = t.get("/api/v1/clusters", variant);
            assertEquals(401, r.status(), variant + " -> " + r.text());
        }
    }
}
