package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks the OpenAPI document against the running server: every documented operation exists, enforces the access
 * rule the document states, requires exactly the documented required fields, rejects undocumented fields, and
 * type-checks every documented property under its documented name.
 */
class OpenApiContractTest {
    static TestPlane t;
    static String admin;
    static String viewer;
    static String operator;
    static JsonNode doc;

    @BeforeAll
    static void start() throws IOException {
        t = new TestPlane();
        admin = t.adminToken();
        t.post("/api/v1/users", admin, "{\"username\":\"viewer\",\"role\":\"viewer\",\"password\":\"viewer-password\"}");
        t.post("/api/v1/users", admin, "{\"username\":\"oper\",\"role\":\"operator\",\"password\":\"oper-password\"}");
        viewer = t.login("viewer", "viewer-password");
        operator = t.login("oper", "oper-password");
        TestPlane.Res r = t.get("/openapi", null);
        assertEquals(200, r.status());
        doc = r.json();
    }

    @AfterAll
    static void stop() throws IOException {
        t.close();
    }

    record Op(String method, String path, JsonNode spec) {
        String url() {
            return path.replaceAll("\\{[a-z]+}", "x-id");
        }

        String access() {
            return spec.get("x-access").asText();
        }

        JsonNode body() {
            return spec.path("requestBody").path("content").path("application/json").path("schema");
        }
    }

    static List<Op> operations() {
        List<Op> ops = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> p = doc.get("paths").properties().iterator(); p.hasNext(); ) {
            Map.Entry<String, JsonNode> path = p.next();
            path.getValue().properties().forEach(o -> ops.add(
                    new Op(o.getKey().toUpperCase(Locale.ROOT), path.getKey(), o.getValue())));
        }
        return ops;
    }

    @Test
    void documentIsWellFormedAndCoversTheResources() {
        assertEquals("3.0.3", doc.get("openapi").asText());
        Set<String> ids = new HashSet<>();
        for (Op op : operations()) {
            assertTrue(ids.add(op.spec().get("operationId").asText()), "duplicate operationId " + op);
            assertTrue(op.spec().has("responses") && op.spec().has("summary"), op.toString());
        }
        for (String base : List.of("/api/v1/clusters", "/api/v1/services", "/api/v1/mappings", "/api/v1/proxies",
                "/api/v1/certificates", "/api/v1/qos", "/api/v1/users", "/api/v1/auth/login", "/api/v1/licence",
                "/api/v1/versions", "/api/v1/versions/diff", "/api/v1/versions/rollback", "/api/v1/audit",
                "/api/v1/config/{cluster}", "/api/v1/clusters/{id}/rotate-key")) {
            assertTrue(doc.get("paths").has(base), "undocumented " + base);
        }
        assertEquals(404, t.get("/api/v1/undocumented", admin).status());
    }

    @Test
    void everyOperationEnforcesItsDocumentedAccess() {
        for (Op op : operations()) {
            String body = op.body().isMissingNode() ? null : "{}";
            TestPlane.Res anonymous = t.send(op.method(), op.url(), null, body);
            switch (op.access()) {
                case Access.PUBLIC -> assertTrue(anonymous.status() != 401 && anonymous.status() != 403,
                        op + " is public but answered " + anonymous.status());
                default -> assertEquals(401, anonymous.status(), op + " without credentials");
            }
            TestPlane.Res asViewer = t.send(op.method(), op.url(), viewer, body);
            TestPlane.Res asOperator = t.send(op.method(), op.url(), operator, body);
            switch (op.access()) {
                case Access.VIEWER -> assertTrue(allowed(asViewer), op + " as viewer: " + asViewer.status());
                case Access.OPERATOR -> {
                    assertEquals(403, asViewer.status(), op + " as viewer");
                    assertTrue(allowed(asOperator), op + " as operator: " + asOperator.status());
                }
                case Access.ADMIN -> {
                    assertEquals(403, asViewer.status(), op + " as viewer");
                    assertEquals(403, asOperator.status(), op + " as operator");
                    assertTrue(allowed(t.send(op.method(), op.url(), admin, body)), op + " as admin");
                }
                case Access.CLUSTER_KEY -> assertEquals(401, asOperator.status(), op + ": a user token is no key");
                default -> { }
            }
            assertTrue(anonymous.status() != 404 || op.path().contains("{"), op + " is not served");
            assertTrue(anonymous.status() != 405, op + " method not served");
        }
    }

    private static boolean allowed(TestPlane.Res r) {
        return r.status() != 401 && r.status() != 403 && r.status() != 405 && r.status() < 500;
    }

    @Test
    void bodiesAreValidatedExactlyAsDocumented() {
        for (Op op : operations()) {
            JsonNode schema = op.body();
            if (schema.isMissingNode() || op.access().equals(Access.CLUSTER_KEY)) {
                continue;
            }
            String token = op.access().equals(Access.PUBLIC) ? null : admin;
            Set<String> required = new HashSet<>();
            schema.path("required").forEach(n -> required.add(n.asText()));
            TestPlane.Res empty = t.send(op.method(), op.url(), token, "{}");
            Set<String> missing = new HashSet<>();
            if (empty.status() == 400) {
                empty.json().get("errors").forEach(e -> {
                    if (e.get("message").asText().equals("is required")) {
                        missing.add(e.get("field").asText());
                    }
                });
            }
            assertEquals(required, missing, op + " required fields");

            TestPlane.Res unknown = t.send(op.method(), op.url(), token, "{\"undocumentedField\":1}");
            assertEquals(400, unknown.status(), op.toString());
            assertTrue(unknown.text().contains("undocumentedField"), op.toString());

            schema.get("properties").properties().forEach(p -> {
                String wrong = p.getValue().path("type").asText().equals("string") ? "12345" : "\"text\"";
                TestPlane.Res r = t.send(op.method(), op.url(), token, "{\"" + p.getKey() + "\":" + wrong + "}");
                assertEquals(400, r.status(), op + " " + p.getKey());
                boolean named = false;
                for (JsonNode e : r.json().get("errors")) {
                    named |= e.get("field").asText().equals(p.getKey())
                            && e.get("message").asText().startsWith("must be a");
                }
                assertTrue(named, op + ": documented property " + p.getKey() + " is not type-checked: " + r.text());
            });
        }
    }
}
