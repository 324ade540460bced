package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A service's {@code offload} switch: tcp/udp services take it (absent: on), http/https refuse it with a 422 naming
 * it, anything but a boolean is a 400 naming it; it is returned as stored, documented in the OpenAPI document (the
 * responses conform to it), carried into the resolved config proxies read, and kept across a restart of the store.
 */
class ServiceOffloadTest {
    static TestPlane t;
    static String admin;
    static String cluster;
    static String clusterKey;

    @BeforeAll
    static void start() throws Exception {
        t = new TestPlane();
        admin = t.adminToken();
        String[] c = t.cluster(admin, "offload");
        cluster = c[0];
        clusterKey = c[1];
    }

    @AfterAll
    static void stop() throws IOException {
        t.close();
    }

    private static String service(String name, String protocol, int port, String extra) {
        return "{\"name\":\"" + name + "\",\"clusterId\":\"" + cluster + "\",\"address\":\"10.0.0.1\",\"port\":" + port
                + ",\"protocol\":\"" + protocol + "\",\"backends\":[{\"address\":\"10.0.1.1\",\"port\":80}]" + extra
                + "}";
    }

    private static JsonNode created(TestPlane.Res r) {
        assertEquals(201, r.status(), r.text());
        return r.json();
    }

    private static void problem(TestPlane.Res r, int status, String detail) {
        assertEquals(status, r.status(), r.text());
        assertEquals("offload", r.json().get("field").asText(), r.text());
        assertTrue(r.json().get("detail").asText().contains(detail), r.text());
    }

    @Test
    void tcpAndUdpServicesOffloadUnlessToldNotToAndTheSwitchRoundTrips() {
        JsonNode tcp = created(t.post("/api/v1/services", admin, service("plain-tcp", "tcp", 7000, "")));
        assertTrue(tcp.get("offload").booleanValue(), "absent: on " + tcp);
        JsonNode udp = created(t.post("/api/v1/services", admin, service("kept-udp", "udp", 7000,
                ",\"offload\":false")));
        assertEquals(false, udp.get("offload").booleanValue(), udp.toString());
        String id = udp.get("id").asText();
        assertEquals(false, t.get("/api/v1/services/" + id, admin).json().get("offload").booleanValue());

        TestPlane.Res on = t.put("/api/v1/services/" + id, admin, service("kept-udp", "udp", 7000,
                ",\"offload\":true"));
        assertEquals(200, on.status(), on.text());
        assertTrue(t.get("/api/v1/services/" + id, admin).json().get("offload").booleanValue());
        TestPlane.Res off = t.put("/api/v1/services/" + id, admin, service("kept-udp", "udp", 7000,
                ",\"offload\":false"));
        assertEquals(200, off.status(), off.text());
        assertEquals(false, t.get("/api/v1/services/" + id, admin).json().get("offload").booleanValue());
        TestPlane.Res omitted = t.put("/api/v1/services/" + id, admin, service("kept-udp", "udp", 7000, ""));
        assertTrue(omitted.json().get("offload").booleanValue(), "PUT replaces: an omitted switch is the default");
    }

    @Test
    void httpServicesRefuseTheSwitchWhichOnlyTheL4DataplaneHas() {
        JsonNode web = created(t.post("/api/v1/services", admin, service("web", "http", 8080, "")));
        assertTrue(web.get("offload").isNull(), "no switch for what Envoy serves: " + web);
        for (String protocol : List.of("http", "https")) {
            for (String value : List.of("true", "false")) {
                problem(t.post("/api/v1/services", admin, service("web-" + value, protocol, 8081,
                        ",\"offload\":" + value)), 422, "only tcp and udp services are offloaded");
            }
        }
        JsonNode tcp = created(t.post("/api/v1/services", admin, service("becomes-web", "tcp", 7001,
                ",\"offload\":false")));
        String id = tcp.get("id").asText();
        problem(t.put("/api/v1/services/" + id, admin, service("becomes-web", "http", 8082, ",\"offload\":false")),
                422, "only tcp and udp");
        TestPlane.Res web2 = t.put("/api/v1/services/" + id, admin, service("becomes-web", "http", 8082, ""));
        assertEquals(200, web2.status(), web2.text());
        assertTrue(web2.json().get("offload").isNull(), web2.text());
    }

    @Test
    void anythingButABooleanIsABadRequestNamingTheField() {
        for (String bad : List.of("\"false\"", "0", "1", "null", "{}", "[true]")) {
            TestPlane.Res r = t.post("/api/v1/services", admin, service("bad-" + Math.abs(bad.hashCode()), "tcp",
                    7100, ",\"offload\":" + bad));
            problem(r, 400, "must be a boolean, not");
        }
        assertEquals(0, t.get("/api/v1/services?name=bad-0", admin).json().get("total").asInt());
    }

    @Test
    void theOpenApiDocumentDescribesTheSwitchAndTheResponsesConformToIt() {
        JsonNode doc = t.get("/openapi", null).json();
        SchemaCheck check = new SchemaCheck(doc);
        JsonNode request = doc.at("/paths/~1api~1v1~1services/post/requestBody/content/application~1json/schema");
        JsonNode property = request.at("/properties/offload");
        assertEquals("boolean", property.get("type").asText(), request.toString());
        assertTrue(property.get("description").asText().contains("tcp and udp only"), property.toString());
        JsonNode read = doc.at("/paths/~1api~1v1~1services~1{id}/get/responses/200/content/application~1json/schema");
        JsonNode tcp = created(t.post("/api/v1/services", admin, service("documented-tcp", "tcp", 7200,
                ",\"offload\":false")));
        JsonNode web = created(t.post("/api/v1/services", admin, service("documented-web", "http", 8200, "")));
        for (JsonNode s : List.of(tcp, web)) {
            JsonNode body = t.get("/api/v1/services/" + s.get("id").asText(), admin).json();
            assertEquals(List.of(), check.problems(read, body), body.toString());
        }
    }

    @Test
    void theResolvedConfigCarriesTheSwitch() {
        String off = created(t.post("/api/v1/services", admin, service("resolved-off", "tcp", 7300,
                ",\"offload\":false"))).get("id").asText();
        String on = created(t.post("/api/v1/services", admin, service("resolved-on", "udp", 7300, "")))
                .get("id").asText();
        String web = created(t.post("/api/v1/services", admin, service("resolved-web", "http", 8300, "")))
                .get("id").asText();
        JsonNode cfg = t.get("/api/v1/config/" + cluster, null, "X-Cluster-Key", clusterKey).json();
        int seen = 0;
        for (JsonNode s : cfg.get("services")) {
            String id = s.get("id").asText();
            if (id.equals(off)) {
                assertEquals(false, s.get("offload").booleanValue(), s.toString());
                seen++;
            } else if (id.equals(on)) {
                assertTrue(s.get("offload").booleanValue(), s.toString());
                seen++;
            } else if (id.equals(web)) {
                assertTrue(s.get("offload").isNull(), s.toString());
                seen++;
            }
        }
        assertEquals(3, seen, cfg.toString());
    }

    @Test
    void theSwitchIsKeptAcrossARestartOfTheStore() throws Exception {
        Path dir = Files.createTempDirectory("marchproxy-offload-restart");
        try {
            String id;
            try (TestPlane first = new TestPlane(TestPlane.settings(dir, "", TestPlane.ADMIN_PASSWORD), false)) {
                String token = first.adminToken();
                String c = first.cluster(token, "durable")[0];
                TestPlane.Res r = first.post("/api/v1/services", token, "{\"name\":\"durable\",\"clusterId\":\"" + c
                        + "\",\"address\":\"10.0.0.2\",\"port\":9000,\"protocol\":\"tcp\",\"offload\":false}");
                id = created(r).get("id").asText();
            }
            try (TestPlane second = new TestPlane(TestPlane.settings(dir, "", TestPlane.ADMIN_PASSWORD), false)) {
                JsonNode s = second.get("/api/v1/services/" + id, second.adminToken()).json();
                assertEquals(false, s.get("offload").booleanValue(), "read back from the store: " + s);
            }
        } finally {
            TestPlane.deleteTree(dir);
        }
    }
}
