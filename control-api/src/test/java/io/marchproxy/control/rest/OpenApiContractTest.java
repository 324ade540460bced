package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks the OpenAPI document against the running server: the document lists exactly the routes the server registered,
 * every documented operation is served (templated ones answer for a real entity, public ones without credentials),
 * enforces the access rule the document states, requires exactly the documented required fields, rejects undocumented
 * fields, and type-checks every documented property under its documented name.
 */
class OpenApiContractTest {
    static TestPlane t;
    static String admin;
    static String viewer;
    static String operator;
    static JsonNode doc;
    static String clusterKey;
    /** A real entity id for each templated path, by the path's base. */
    static final Map<String, String> IDS = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        t = new TestPlane();
        admin = t.adminToken();
        String viewerId = created(t.post("/api/v1/users", admin,
                "{\"username\":\"viewer\",\"role\":\"viewer\",\"password\":\"viewer-password\"}"));
        t.post("/api/v1/users", admin, "{\"username\":\"oper\",\"role\":\"operator\",\"password\":\"oper-password\"}");
        viewer = t.login("viewer", "viewer-password");
        operator = t.login("oper", "oper-password");
        TestPlane.Res r = t.get("/openapi", null);
        assertEquals(200, r.status());
        doc = r.json();

        String[] cluster = t.cluster(admin, "contract");
        clusterKey = cluster[1];
        String service = t.service(admin, cluster[0], "contract-web", "default");
        IDS.put("/api/v1/clusters/", cluster[0]);
        IDS.put("/api/v1/config/", cluster[0]);
        IDS.put("/api/v1/services/", service);
        IDS.put("/api/v1/users/", viewerId);
        IDS.put("/api/v1/mappings/", created(t.post("/api/v1/mappings", admin, "{\"name\":\"contract-all\","
                + "\"clusterId\":\"" + cluster[0] + "\",\"sources\":[\"all\"],\"destinations\":[\"all\"],"
                + "\"protocols\":[\"tcp\"],\"ports\":\"80\"}")));
        IDS.put("/api/v1/qos/", created(t.post("/api/v1/qos", admin, "{\"serviceId\":\"" + service + "\"}")));
        IDS.put("/api/v1/proxies/", created(t.post("/api/v1/proxies/register", null, "{\"name\":\"contract-edge\","
                + "\"hostname\":\"edge.example.test\",\"address\":\"192.0.2.1\"}", "X-Cluster-Key", clusterKey)));
        Path pki = Files.createTempDirectory("marchproxy-contract");
        try {
            TestCertificates.Pem pem = TestCertificates.generate(pki, "contract", "EC", 30, "contract.example.test");
            ObjectNode cert = TestPlane.JSON.createObjectNode().put("name", "contract").put("clusterId", cluster[0])
                    .put("certificatePem", pem.certificate()).put("privateKeyPem", pem.privateKey());
            IDS.put("/api/v1/certificates/", created(t.post("/api/v1/certificates", admin, cert.toString())));
        } finally {
            TestPlane.deleteTree(pki);
        }
    }

    private static String created(TestPlane.Res r) {
        assertEquals(201, r.status(), r.text());
        return r.json().get("id").asText();
    }

    @AfterAll
    static void stop() throws IOException {
        t.close();
    }

    record Op(String method, String path, JsonNode spec) {
        String url() {
            return path.replaceAll("\\{[a-z]+}", "x-id");
        }

        /** The path with a real entity's id in place of its parameter. */
        String realUrl() {
            if (!path.contains("{")) {
                return path;
            }
            String base = IDS.keySet().stream().filter(path::startsWith).findFirst()
                    .orElseThrow(() -> new AssertionError("no entity to try templated route " + path + " with"));
            return path.replaceAll("\\{[a-z]+}", IDS.get(base));
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

    @Test
    void theDocumentListsExactlyTheRoutesTheServerServes() {
        Set<String> documented = new TreeSet<>();
        operations().forEach(op -> documented.add(op.method() + " " + op.path()));
        Set<String> served = new TreeSet<>(t.plane.routes());
        Set<String> undocumented = new TreeSet<>(served);
        undocumented.removeAll(documented);
        Set<String> unserved = new TreeSet<>(documented);
        unserved.removeAll(served);
        assertTrue(undocumented.isEmpty(), "served but not in /openapi: " + undocumented);
        assertTrue(unserved.isEmpty(), "in /openapi but not registered: " + unserved);
        assertTrue(served.contains("GET /observe/health") && served.contains("GET /openapi"), served.toString());
    }

    /**
     * A templated route is tried on a real entity with the credential it needs, so a 404 can only mean it is not
     * served; writes carry a stale {@code If-Match} (or an invalid body) so nothing is changed. Public routes are
     * tried without credentials.
     */
    @Test
    void everyTemplatedAndPublicRouteAnswersForReal() {
        int tried = 0;
        for (Op op : operations()) {
            if (!op.path().contains("{") && !op.access().equals(Access.PUBLIC)) {
                continue;
            }
            String body = op.body().isMissingNode() ? null : "{}";
            TestPlane.Res r = switch (op.access()) {
                case Access.PUBLIC -> t.send(op.method(), op.realUrl(), null, body);
                case Access.CLUSTER_KEY -> t.send(op.method(), op.realUrl(), null, body, "X-Cluster-Key",
                        clusterKey, "If-Match", "\"0\"");
                default -> t.send(op.method(), op.realUrl(), admin, body, "If-Match", "\"0\"");
            };
            assertTrue(r.status() != 404 && r.status() != 405 && r.status() < 500,
                    op.method() + " " + op.realUrl() + " (" + op.access() + ") -> " + r.status() + " " + r.text());
            if (op.method().equals("GET")) {
                assertEquals(200, r.status(), op.method() + " " + op.realUrl() + " -> " + r.text());
            }
            tried++;
        }
        assertTrue(tried >= 20, "templated and public routes tried: " + tried);
        IDS.forEach((base, id) -> assertEquals(200, t.get(base + id, base.equals("/api/v1/config/") ? null : admin,
                "X-Cluster-Key", clusterKey).status(), base + id + " still exists: nothing was changed"));
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
