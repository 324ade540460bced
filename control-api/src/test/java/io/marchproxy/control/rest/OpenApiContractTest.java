package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marchproxy.control.licence.Licence;
import io.marchproxy.control.licence.LicenceSigner;
import io.marchproxy.control.xds.XdsSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks the OpenAPI document against the running server: the document lists exactly the routes the server registered,
 * every documented operation is served (templated ones answer for a real entity, public ones without credentials),
 * enforces the access rule the document states, requires exactly the documented required fields, rejects undocumented
 * fields, and type-checks every documented property under its documented name. Every 2xx response any of these tests
 * receives must have a documented status and media type and, when JSON, match the documented response schema; one
 * test drives each operation to a success so that every documented response is checked at least once. Every other
 * answer of a documented operation must have a documented status too, as problem+json; query parameters are typed
 * as documented and enforced at their bounds; an undeclared method on a documented path is a 405 naming the
 * declared ones in {@code Allow}; a body over the payload limit is a documented 413 with a problem body.
 */
class OpenApiContractTest {
    static TestPlane t;
    static String admin;
    static String viewer;
    static String operator;
    static JsonNode doc;
    static String clusterKey;
    static KeyPair vendor;
    static SchemaCheck schemas;
    /** {@code METHOD /path/{template}} of each operation a 2xx response was checked for. */
    static final Set<String> CHECKED = new TreeSet<>();
    /** A real entity id for each templated path, by the path's base. */
    static final Map<String, String> IDS = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        vendor = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        t = new TestPlane(TestPlane.settings(Files.createTempDirectory("marchproxy-contract"),
                Base64.getEncoder().encodeToString(vendor.getPublic().getEncoded()), TestPlane.ADMIN_PASSWORD),
                new XdsSettings(true, "127.0.0.1", 0, "127.0.0.1"), true);
        admin = t.adminToken();
        TestPlane.Res r = t.get("/openapi", null);
        assertEquals(200, r.status());
        doc = r.json();
        schemas = new SchemaCheck(doc);
        String viewerId = created(post("/api/v1/users", admin,
                "{\"username\":\"viewer\",\"role\":\"viewer\",\"password\":\"viewer-password\"}"));
        post("/api/v1/users", admin, "{\"username\":\"oper\",\"role\":\"operator\",\"password\":\"oper-password\"}");
        viewer = t.login("viewer", "viewer-password");
        operator = t.login("oper", "oper-password");

        TestPlane.Res cluster = post("/api/v1/clusters", admin, "{\"name\":\"contract\"}");
        String clusterId = created(cluster);
        clusterKey = cluster.json().get("apiKey").asText();
        String service = created(post("/api/v1/services", admin, "{\"name\":\"contract-web\",\"clusterId\":\""
                + clusterId + "\",\"address\":\"10.0.0.1\",\"port\":8080,\"protocol\":\"http\","
                + "\"backends\":[{\"address\":\"10.0.1.1\",\"port\":80}]}"));
        IDS.put("/api/v1/clusters/", clusterId);
        IDS.put("/api/v1/config/", clusterId);
        IDS.put("/api/v1/services/", service);
        IDS.put("/api/v1/users/", viewerId);
        IDS.put("/api/v1/mappings/", created(post("/api/v1/mappings", admin, "{\"name\":\"contract-all\","
                + "\"clusterId\":\"" + clusterId + "\",\"sources\":[\"all\"],\"destinations\":[\"all\"],"
                + "\"protocols\":[\"tcp\"],\"ports\":\"80\"}")));
        IDS.put("/api/v1/qos/", created(post("/api/v1/qos", admin, "{\"serviceId\":\"" + service + "\"}")));
        IDS.put("/api/v1/proxies/", created(post("/api/v1/proxies/register", null, "{\"name\":\"contract-edge\","
                + "\"hostname\":\"edge.example.test\",\"address\":\"192.0.2.1\"}", "X-Cluster-Key", clusterKey)));
        Path pki = Files.createTempDirectory("marchproxy-contract");
        try {
            TestCertificates.Pem pem = TestCertificates.generate(pki, "contract", "EC", 30, "contract.example.test");
            ObjectNode cert = TestPlane.JSON.createObjectNode().put("name", "contract").put("clusterId", clusterId)
                    .put("certificatePem", pem.certificate()).put("privateKeyPem", pem.privateKey());
            IDS.put("/api/v1/certificates/", created(post("/api/v1/certificates", admin, cert.toString())));
        } finally {
            TestPlane.deleteTree(pki);
        }
    }

    private static String created(TestPlane.Res r) {
        assertEquals(201, r.status(), r.text());
        return r.json().get("id").asText();
    }

    /**
     * A request whose answer must be what the document promises for its operation and status: any status of a
     * documented operation (a 2xx with the documented schema), while an undocumented method must be a 405.
     */
    static TestPlane.Res send(String method, String url, String token, String body, String... headers) {
        TestPlane.Res r = t.send(method, url, token, body, headers);
        if (r.status() >= 200 && r.status() < 300 || operationFor(method, url) != null) {
            conforms(method, url, r);
        } else {
            assertEquals(405, r.status(), method + " " + url + " is not documented: " + r.text());
        }
        return r;
    }

    static TestPlane.Res get(String url, String token, String... headers) {
        return send("GET", url, token, null, headers);
    }

    static TestPlane.Res post(String url, String token, String body, String... headers) {
        return send("POST", url, token, body, headers);
    }

    private static void conforms(String method, String url, TestPlane.Res r) {
        String what = method + " " + url + " -> " + r.status();
        Op op = operationFor(method, url);
        assertNotNull(op, what + ": no documented operation answers this");
        JsonNode response = op.spec().path("responses").path(Integer.toString(r.status()));
        assertTrue(response.isObject(), what + ": status not documented for " + op.path());
        JsonNode content = response.path("content");
        if (content.isEmpty()) {
            assertEquals("", r.text(), what + ": documented without a body");
        } else {
            String mediaType = content.fieldNames().next();
            String actual = r.header("Content-Type");
            assertTrue(actual != null && actual.startsWith(mediaType), what + ": Content-Type " + actual
                    + ", documented " + mediaType);
            if (mediaType.equals("application/json")) {
                assertEquals(List.of(), schemas.problems(content.get(mediaType).get("schema"), r.json()),
                        what + ": body does not match the documented schema: " + r.text());
            }
        }
        CHECKED.add(op.method() + " " + op.path());
    }

    /** The documented operation serving {@code url}: fixed segments win over templates, as in the router. */
    static Op operationFor(String method, String url) {
        String path = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
        Op best = null;
        for (Op op : operations()) {
            if (op.method().equals(method) && path.matches(op.path().replaceAll("\\{[A-Za-z]+}", "[^/]+"))
                    && (best == null || op.path().split("\\{").length < best.path().split("\\{").length)) {
                best = op;
            }
        }
        return best;
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
            TestPlane.Res anonymous = send(op.method(), op.url(), null, body);
            switch (op.access()) {
                case Access.PUBLIC -> assertTrue(anonymous.status() != 401 && anonymous.status() != 403,
                        op + " is public but answered " + anonymous.status());
                default -> assertEquals(401, anonymous.status(), op + " without credentials");
            }
            TestPlane.Res asViewer = send(op.method(), op.url(), viewer, body);
            TestPlane.Res asOperator = send(op.method(), op.url(), operator, body);
            switch (op.access()) {
                case Access.VIEWER -> assertTrue(allowed(asViewer), op + " as viewer: " + asViewer.status());
                case Access.OPERATOR -> {
                    assertEquals(403, asViewer.status(), op + " as viewer");
                    assertTrue(allowed(asOperator), op + " as operator: " + asOperator.status());
                }
                case Access.ADMIN -> {
                    assertEquals(403, asViewer.status(), op + " as viewer");
                    assertEquals(403, asOperator.status(), op + " as operator");
                    assertTrue(allowed(send(op.method(), op.url(), admin, body)), op + " as admin");
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
                case Access.PUBLIC -> send(op.method(), op.realUrl(), null, body);
                case Access.CLUSTER_KEY -> send(op.method(), op.realUrl(), null, body, "X-Cluster-Key",
                        clusterKey, "If-Match", "\"0\"");
                default -> send(op.method(), op.realUrl(), admin, body, "If-Match", "\"0\"");
            };
            assertTrue(r.status() != 404 && r.status() != 405 && r.status() < 500,
                    op.method() + " " + op.realUrl() + " (" + op.access() + ") -> " + r.status() + " " + r.text());
            if (op.method().equals("GET")) {
                assertEquals(200, r.status(), op.method() + " " + op.realUrl() + " -> " + r.text());
            }
            tried++;
        }
        assertTrue(tried >= 20, "templated and public routes tried: " + tried);
        IDS.forEach((base, id) -> assertEquals(200, get(base + id, base.equals("/api/v1/config/") ? null : admin,
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
            TestPlane.Res empty = send(op.method(), op.url(), token, "{}");
            Set<String> missing = new HashSet<>();
            if (empty.status() == 400) {
                empty.json().get("errors").forEach(e -> {
                    if (e.get("message").asText().equals("is required")) {
                        missing.add(e.get("field").asText());
                    }
                });
            }
            assertEquals(required, missing, op + " required fields");

            TestPlane.Res unknown = send(op.method(), op.url(), token, "{\"undocumentedField\":1}");
            assertEquals(400, unknown.status(), op.toString());
            assertTrue(unknown.text().contains("undocumentedField"), op.toString());

            schema.get("properties").properties().forEach(p -> {
                String wrong = p.getValue().path("type").asText().equals("string") ? "12345" : "\"text\"";
                TestPlane.Res r = send(op.method(), op.url(), token, "{\"" + p.getKey() + "\":" + wrong + "}");
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

    /**
     * Drives every documented operation to a success on entities of its own (deleted again at the end; a rollback
     * undoes only the change made for it), so every documented success response is checked against the running
     * server at least once, with optional and nullable fields both present and absent where the API allows.
     */
    @Test
    void everyOperationSucceedsWithTheDocumentedResponse() throws Exception {
        String json = "application/json";
        get("/openapi", null);
        get("/observe/health", null);
        get("/observe/health", viewer);
        get("/observe/metrics", null);
        post("/api/v1/auth/refresh", viewer, null);

        TestPlane.Res cluster = post("/api/v1/clusters", admin, "{\"name\":\"tour\","
                + "\"syslogEndpoint\":\"10.0.0.9:514\",\"logging\":{\"debug\":true},\"defaultPolicy\":\"allow\"}");
        String clusterId = created(cluster);
        String cl = "/api/v1/clusters/" + clusterId;
        get("/api/v1/clusters?name=tour", viewer);
        get(cl, viewer);
        assertEquals(200, send("PUT", cl, admin, "{\"name\":\"tour\",\"description\":\"tour\"}",
                "If-Match", get(cl, admin).header("ETag")).status());
        String key = ok(post(cl + "/rotate-key", admin, null)).json().get("apiKey").asText();

        Path pki = Files.createTempDirectory("marchproxy-contract-tour");
        try {
            // The https service below needs a certificate: the cluster's only one serves it.
            TestCertificates.Pem pem = TestCertificates.generate(pki, "tour", "EC", 10, "tour.example.test");
            String cert = TestPlane.JSON.createObjectNode().put("name", "tour").put("clusterId", clusterId)
                    .put("certificatePem", pem.certificate()).put("privateKeyPem", pem.privateKey()).toString();
            String certId = created(post("/api/v1/certificates", admin, cert));
            String ct = "/api/v1/certificates/" + certId;

            String svc = created(post("/api/v1/services", admin, "{\"name\":\"tour-web\",\"clusterId\":\"" + clusterId
                    + "\",\"address\":\"10.0.0.2\",\"port\":443,\"protocol\":\"https\",\"backends\":[{\"address\":"
                    + "\"10.0.1.2\",\"port\":8443,\"weight\":5}],\"auth\":{\"type\":\"jwt\",\"jwtSecret\":"
                    + "\"0123456789abcdef0123456789abcdef\"},\"tls\":{\"enabled\":true},"
                    + "\"healthCheck\":{\"path\":\"/healthz\"}}"));
            String sv = "/api/v1/services/" + svc;
            get("/api/v1/services?clusterId=" + clusterId, viewer);
            get(sv, viewer);
            ok(send("PUT", sv, admin, "{\"name\":\"tour-web\",\"clusterId\":\"" + clusterId + "\",\"address\":"
                    + "\"10.0.0.2\",\"port\":443,\"protocol\":\"https\",\"auth\":{\"type\":\"base64\",\"token\":"
                    + "\"0123456789abcdef\"},\"certificateId\":\"" + certId + "\"}"));
            String range = "/api/v1/services/" + created(post("/api/v1/services", admin, "{\"name\":\"tour-range\","
                    + "\"clusterId\":\"" + clusterId + "\",\"address\":\"10.0.0.3\",\"port\":5000,\"portEnd\":5010,"
                    + "\"protocol\":\"udp\"}"));

            String mapping = "{\"name\":\"tour-map\",\"clusterId\":\"" + clusterId + "\",\"sources\":[\"all\","
                    + "\"10.1.2.3/16\",\"2001:db8::/32\"],\"action\":\"deny\","
                    + "\"destinations\":[\"" + svc + "\",\"collection:default\"],\"protocols\":[\"tcp\",\"http\"],"
                    + "\"ports\":\"80,8000-8100\"}";
            String mp = "/api/v1/mappings/" + created(post("/api/v1/mappings", admin, mapping));
            get("/api/v1/mappings", viewer);
            get(mp, viewer);
            ok(send("PUT", mp, admin, mapping));

            String qos = "/api/v1/qos/" + created(post("/api/v1/qos", admin, "{\"serviceId\":\"" + svc
                    + "\",\"ingressMbps\":100}"));
            get("/api/v1/qos?serviceId=" + svc, viewer);
            get(qos, viewer);
            ok(send("PUT", qos, admin, "{\"serviceId\":\"" + svc + "\",\"priority\":\"P0\"}"));

            get("/api/v1/certificates?clusterId=" + clusterId, viewer);
            get("/api/v1/certificates/expiring?days=3650", viewer);
            get(ct, viewer);
            ok(send("PUT", ct, admin, cert));

            String user = "/api/v1/users/" + created(post("/api/v1/users", admin,
                    "{\"username\":\"tourist\",\"role\":\"operator\",\"password\":\"tourist-password\"}"));
            get("/api/v1/users?role=operator", admin);
            get(user, admin);
            ok(send("PUT", user, admin, "{\"username\":\"tourist\",\"role\":\"viewer\"}"));
            String tourist = ok(post("/api/v1/auth/login", null,
                    "{\"username\":\"tourist\",\"password\":\"tourist-password\"}")).json().get("token").asText();
            assertEquals(204, post("/api/v1/auth/password", tourist,
                    "{\"currentPassword\":\"tourist-password\",\"newPassword\":\"tourist-password-2\"}").status());

            String edge = "{\"name\":\"tour-edge\",\"hostname\":\"tour.example.test\",\"address\":\"192.0.2.2\","
                    + "\"capabilities\":[\"af_xdp\"]}";
            String px = "/api/v1/proxies/" + created(post("/api/v1/proxies/register", null, edge, "X-Cluster-Key", key));
            assertEquals(200, post("/api/v1/proxies/register", null, edge, "X-Cluster-Key", key).status(),
                    "registering again updates the proxy (a documented 200)");
            ok(post(px + "/heartbeat", null, "{\"configVersion\":1,\"metrics\":{\"rxPackets\":10,\"drops\":0}}",
                    "X-Cluster-Key", key));
            get("/api/v1/proxies?clusterId=" + clusterId, viewer);
            get(px, viewer);
            ok(get("/api/v1/config/" + clusterId, null, "X-Cluster-Key", key));
            long current = t.plane.store().state().configVersion();
            assertEquals(304, get("/api/v1/config/" + clusterId + "?after=" + current + "&wait=0", null,
                    "X-Cluster-Key", key).status(), "a long poll that sees no change: a documented 304");
            ok(get("/api/v1/config/" + clusterId + "?after=0&wait=5", null, "X-Cluster-Key", key));

            long before = ok(get("/api/v1/versions", viewer)).json().get("currentVersion").asLong();
            ok(get("/api/v1/versions/diff?from=1", viewer));
            created(post("/api/v1/mappings", admin, mapping.replace("tour-map", "tour-undone")));
            assertEquals(201, post("/api/v1/versions/rollback", operator, "{\"version\":" + before + "}").status());
            assertEquals(0, get("/api/v1/mappings?name=tour-undone", viewer).json().get("total").asInt());
            ok(get("/api/v1/audit?limit=5", admin));

            ok(get("/api/v1/licence", viewer));
            ok(send("PUT", "/api/v1/licence", admin, "{\"token\":\"" + new LicenceSigner(vendor.getPrivate())
                    .sign(new Licence("Acme", "enterprise", 10, List.of("xds"), Instant.now().plusSeconds(600)))
                    + "\"}"));
            ok(send("DELETE", "/api/v1/licence", admin, null));

            assertEquals(403, get("/api/v1/envoy/bootstrap?cluster=tour", viewer).status(), "bootstraps carry a secret");
            ok(get("/api/v1/envoy/bootstrap?cluster=tour", operator));
            ok(get("/api/v1/envoy/nodes", viewer));

            for (String gone : List.of(px, qos, mp, sv, range, ct, user, cl)) {
                assertEquals(204, send("DELETE", gone, admin, null).status(), gone);
            }
        } finally {
            TestPlane.deleteTree(pki);
        }

        Set<String> unchecked = new TreeSet<>();
        operations().forEach(op -> unchecked.add(op.method() + " " + op.path()));
        unchecked.removeAll(CHECKED);
        assertTrue(unchecked.isEmpty(), "operations never seen succeeding: " + unchecked);
        assertTrue(doc.at("/paths/~1api~1v1~1envoy~1bootstrap/get/responses/200/content").has("application/yaml"),
                json + " is not what the bootstrap is");
    }

    /**
     * Every integer query parameter is documented as an integer with bounds, and the server refuses text, and values
     * one past each bound, naming the parameter; every boolean one refuses anything but true/false; a required one
     * is refused when missing. Nothing that looks numeric is documented as a string.
     */
    @Test
    void queryParametersAreTypedAndEnforcedAsDocumented() {
        int integers = 0;
        for (Op op : operations()) {
            String token = op.access().equals(Access.CLUSTER_KEY) ? null : admin;
            for (JsonNode p : op.spec().path("parameters")) {
                if (!p.get("in").asText().equals("query")) {
                    continue;
                }
                String name = p.get("name").asText();
                JsonNode schema = p.get("schema");
                String type = schema.get("type").asText();
                assertTrue(!List.of("offset", "limit", "before", "days", "version", "from", "to", "adminPort", "after", "wait")
                        .contains(name) || type.equals("integer"), op + " " + name + " documented as " + type);
                List<String> bad = new ArrayList<>();
                if (type.equals("integer")) {
                    integers++;
                    assertTrue(schema.has("minimum") && schema.has("maximum"), op + " " + name + " " + schema);
                    bad.add("x");
                    bad.add("1.5");
                    bad.add("");
                    if (schema.get("minimum").asLong() > Long.MIN_VALUE) {
                        bad.add(Long.toString(schema.get("minimum").asLong() - 1));
                    }
                    if (schema.get("maximum").asLong() < Long.MAX_VALUE) {
                        bad.add(Long.toString(schema.get("maximum").asLong() + 1));
                    }
                } else if (type.equals("boolean")) {
                    bad.add("yes");
                }
                for (String value : bad) {
                    TestPlane.Res r = send(op.method(), op.realUrl() + "?" + name + "=" + value, token,
                            op.body().isMissingNode() ? null : "{}", "X-Cluster-Key", clusterKey);
                    assertEquals(400, r.status(), op + " ?" + name + "=" + value + " -> " + r.text());
                    assertTrue(r.json().get("errors").toString().contains("\"field\":\"" + name + "\""), r.text());
                }
                if (p.get("required").asBoolean()) {
                    TestPlane.Res r = send(op.method(), op.realUrl(), token, null, "X-Cluster-Key", clusterKey);
                    assertEquals(400, r.status(), op + " without " + name);
                    assertEquals(name, r.json().get("field").asText(), r.text());
                }
            }
        }
        assertTrue(integers >= 10, "integer query parameters checked: " + integers);
        TestPlane.Res twice = send("GET", "/api/v1/clusters?limit=1&limit=2", admin, null);
        assertEquals(400, twice.status(), "a parameter given twice");
    }

    /**
     * Every declared text parameter at its longest, in characters that take four bytes of UTF-8 (twelve characters
     * percent-encoded), together in one request: the request line still fits, so no schema-valid query is a 414.
     */
    @Test
    void theLongestSchemaValidQueryFitsTheRequestLine() {
        String longest = java.net.URLEncoder.encode("\uD83D\uDE00".repeat(QueryParam.MAX_TEXT),
                java.nio.charset.StandardCharsets.UTF_8);
        for (Op op : operations()) {
            List<String> query = new ArrayList<>();
            for (JsonNode p : op.spec().path("parameters")) {
                if (p.get("in").asText().equals("query") && p.at("/schema/type").asText().equals("string")
                        && !p.at("/schema").has("pattern")) {
                    assertEquals(QueryParam.MAX_TEXT, p.at("/schema/maxLength").asInt(), op + " " + p);
                    query.add(p.get("name").asText() + "=" + longest);
                }
            }
            if (!query.isEmpty()) {
                TestPlane.Res r = send(op.method(), op.realUrl() + "?" + String.join("&", query), admin, null);
                assertTrue(r.status() != 414 && r.status() < 500, op + " -> " + r.status());
            }
        }
    }

    /**
     * On every documented path, every method the document does not declare there is a 405 whose {@code Allow}
     * lists exactly the methods the document declares for it (for a path that a templated one also matches, such as
     * {@code /certificates/expiring}, those of the most specific).
     */
    @Test
    void anUndeclaredMethodIs405NamingTheDeclaredOnes() {
        int tried = 0;
        for (String path : new TreeSet<>(operations().stream().map(Op::path).toList())) {
            Op any = operations().stream().filter(o -> o.path().equals(path)).findFirst().orElseThrow();
            String url = any.realUrl();
            Set<String> declared = new TreeSet<>();
            Set<String> routed = new TreeSet<>();
            int fewest = Integer.MAX_VALUE;
            for (Op op : operations()) {
                int parameters = op.path().split("\\{", -1).length - 1;
                boolean matches = url.matches(op.path().replaceAll("\\{[A-Za-z]+}", "[^/]+"));
                if (matches) {
                    routed.add(op.method());
                }
                if (matches && parameters <= fewest) {
                    if (parameters < fewest) {
                        declared.clear();
                        fewest = parameters;
                    }
                    declared.add(op.method());
                }
            }
            for (String method : List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "HEAD")) {
                if (routed.contains(method)) {
                    continue;
                }
                TestPlane.Res r = t.send(method, url, admin, null);
                assertEquals(405, r.status(), method + " " + url + " -> " + r.text());
                assertEquals(declared, new TreeSet<>(List.of(r.header("Allow").split(",\\s*"))),
                        method + " " + url);
                if (!method.equals("HEAD")) {
                    assertEquals("application/problem+json", r.header("Content-Type"), method + " " + url);
                    assertEquals(405, r.json().get("status").asInt());
                }
                tried++;
            }
        }
        assertTrue(tried > 100, "undeclared methods tried: " + tried);
    }

    /**
     * A body over the payload limit is refused before routing, by Helidon: a 413 with a problem body, documented on
     * every operation that takes a body, whether the size is announced (Content-Length) or found out (chunked).
     */
    @Test
    void aBodyOverTheLimitIsADocumented413ProblemEitherWay() throws Exception {
        String big = "{\"name\":\"" + "x".repeat((int) io.marchproxy.control.ControlPlane.MAX_PAYLOAD_BYTES)
                + "\"}";
        for (Op op : operations()) {
            assertTrue(op.body().isMissingNode() || op.spec().at("/responses/413/content").has(
                    "application/problem+json"), op + " takes a body but does not document 413");
        }
        // announced: the headers alone are refused (the server closes without reading the body, so a client still
        // sending could see a reset instead of the answer; sending no body keeps the check about the server)
        String answer = t.headersOnly("POST", "/api/v1/clusters", admin, big.length());
        assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        assertTrue(answer.contains("application/problem+json") && answer.contains("\"status\":413"), answer);
        java.net.http.HttpResponse<String> chunked = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(t.uri("/api/v1/auth/login"))
                        .header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                                () -> new java.io.ByteArrayInputStream(big.getBytes())))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(413, chunked.statusCode());
        assertEquals("application/problem+json", chunked.headers().firstValue("Content-Type").orElse(""));
        assertTrue(chunked.body().contains("\"status\":413"), chunked.body());
        JsonNode login = operationFor("POST", "/api/v1/auth/login").spec();
        assertTrue(login.at("/responses/429/headers").has("Retry-After"), "429 documents Retry-After");
    }

    /** The checker itself rejects a missing required field, an undocumented field, a wrong type and a wrong enum. */
    @Test
    void aResponseThatDiffersFromItsSchemaIsCaught() {
        Op read = operationFor("GET", "/api/v1/clusters/" + IDS.get("/api/v1/clusters/"));
        JsonNode schema = read.spec().at("/responses/200/content/application~1json/schema");
        ObjectNode body = (ObjectNode) t.get(read.realUrl(), admin).json();
        assertEquals(List.of(), schemas.problems(schema, body));
        body.remove("name");
        body.put("apiKeyHash", "leaked");
        body.put("active", "yes");
        body.put("createdAt", "yesterday");
        body.putNull("id");
        assertEquals(5, schemas.problems(schema, body).size(), schemas.problems(schema, body).toString());
    }

    private static TestPlane.Res ok(TestPlane.Res r) {
        assertTrue(r.status() == 200 || r.status() == 201, r.status() + " " + r.text());
        return r;
    }
}
