package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sends generated invalid bodies to every route of the published OpenAPI document, with valid credentials so the
 * bodies reach validation, and asserts the server never answers 5xx and answers body errors as problem+json.
 * Mutations are derived from each documented schema (wrong types, bounds, enums, missing and unknown fields) plus
 * structural garbage and seeded random mutations, so a new route or field is fuzzed without editing this test.
 */
class FuzzTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final long SEED = Long.getLong("fuzz.seed", 20261126L);
    private static final int RANDOM_PER_ROUTE = Integer.getInteger("fuzz.random", 20);

    static TestPlane t;
    static String admin;
    static String[] cluster;
    static String serviceId;
    static String proxyId;

    @BeforeAll
    static void start() throws IOException {
        t = new TestPlane();
        admin = t.adminToken();
        cluster = t.cluster(admin, "fuzz");
        serviceId = t.service(admin, cluster[0], "fuzz-svc", "default");
        proxyId = t.post("/api/v1/proxies/register", null, "{\"name\":\"fp\",\"hostname\":\"fp.local\","
                + "\"address\":\"127.0.0.1\"}", "X-Cluster-Key", cluster[1]).json().get("id").asText();
    }

    @AfterAll
    static void stop() throws IOException {
        t.close();
    }

    @Test
    void noGeneratedInvalidInputCausesA5xx() throws Exception {
        JsonNode doc = t.get("/openapi", null).json();
        Random random = new Random(SEED);
        int sent = 0;
        List<String> failures = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").properties().iterator();
             paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().properties().iterator(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                String method = op.getKey().toUpperCase(java.util.Locale.ROOT);
                JsonNode schema = op.getValue().path("requestBody").path("content").path("application/json")
                        .path("schema");
                List<String> bodies = new ArrayList<>();
                if (schema.isMissingNode()) {
                    bodies.add(null);
                    bodies.add("{\"unexpected\":true}");
                } else {
                    for (JsonNode b : invalidBodies(schema, random)) {
                        bodies.add(b.toString());
                    }
                    bodies.addAll(structuralGarbage(random));
                }
                List<String> urls = urls(path.getKey());
                for (int u = 0; u < urls.size(); u++) {
                    // every body against the real resource; odd path parameters with the first body only
                    for (String body : u == 0 ? bodies : bodies.subList(0, 1)) {
                        TestPlane.Res r = t.send(method, urls.get(u), admin, body, "X-Cluster-Key", cluster[1]);
                        sent++;
                        if (r.status() >= 500) {
                            failures.add(method + " " + urls.get(u) + " " + body + " -> " + r.status() + " "
                                    + r.text());
                        } else if (body != null && (r.status() == 400 || r.status() == 422)
                                && !"application/problem+json".equals(r.header("Content-Type"))) {
                            failures.add(method + " " + urls.get(u) + " -> " + r.status() + " not problem+json");
                        }
                    }
                }
            }
        }
        for (String[] odd : List.of(new String[]{"GET", "/api/v1/nope"}, new String[]{"PATCH", "/api/v1/services"},
                new String[]{"DELETE", "/api/v1/services"}, new String[]{"POST", "/openapi"},
                new String[]{"OPTIONS", "/api/v1/clusters"}, new String[]{"PUT", "/observe/health"},
                new String[]{"GET", "/api/v1/services/%2e%2e/%2e%2e/etc/passwd"}, new String[]{"TRACE", "/"})) {
            TestPlane.Res r = t.send(odd[0], odd[1], admin, null);
            sent++;
            if (r.status() >= 500) {
                failures.add(odd[0] + " " + odd[1] + " -> " + r.status() + " " + r.text());
            }
        }
        String huge = t.headersOnly("POST", "/api/v1/services", admin, 2 << 20);
        sent++;
        assertTrue(huge.startsWith("HTTP/1.1 413"), "a body over the payload limit is refused: " + huge);
        assertTrue(failures.isEmpty(), failures.size() + " of " + sent + " requests failed, e.g.:\n"
                + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
        assertTrue(sent > 1000, "only " + sent + " requests sent");
        assertEquals(200, t.get("/observe/health", null).status(), "the server is still healthy");
    }

    private static List<String> urls(String template) {
        List<String> out = new ArrayList<>();
        String real = template.replace("{cluster}", "fuzz").replace("{id}", template.contains("/proxies/")
                ? proxyId : template.contains("/clusters/") ? cluster[0] : serviceId);
        out.add(real);
        if (template.contains("{")) {
            out.add(template.replaceAll("\\{[a-z]+}", "does-not-exist"));
            out.add(template.replaceAll("\\{[a-z]+}", "%E2%98%83%00x"));
            out.add(template.replaceAll("\\{[a-z]+}", "a".repeat(300)));
        }
        return out;
    }

    /** Bodies violating the schema in one place each, derived from the document. */
    static List<JsonNode> invalidBodies(JsonNode schema, Random random) {
        List<JsonNode> out = new ArrayList<>();
        ObjectNode base = (ObjectNode) example(schema);
        out.add(base);
        for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").properties().iterator();
             it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            for (JsonNode bad : wrongValues(p.getValue())) {
                ObjectNode b = base.deepCopy();
                b.set(p.getKey(), bad);
                out.add(b);
            }
            ObjectNode missing = base.deepCopy();
            missing.remove(p.getKey());
            out.add(missing);
        }
        ObjectNode unknown = base.deepCopy();
        unknown.put("notAField", 1);
        out.add(unknown);
        for (int i = 0; i < RANDOM_PER_ROUTE; i++) {
            out.add(mutate(base.deepCopy(), random));
        }
        return out;
    }

    static List<JsonNode> wrongValues(JsonNode s) {
        List<JsonNode> out = new ArrayList<>(List.of(F.nullNode(), F.textNode(""), F.numberNode(-1),
                F.numberNode(1.5), F.booleanNode(true), F.arrayNode(), F.objectNode(),
                F.numberNode(new java.math.BigInteger("1" + "0".repeat(40))), F.textNode("\u0000\uFFFF\uD83D")));
        String type = s.path("type").asText();
        if (type.equals("string")) {
            out.add(F.textNode("x".repeat(s.path("maxLength").asInt(100) + 1)));
            out.add(F.textNode("not-in-enum ../../etc/passwd"));
        } else if (type.equals("integer")) {
            out.add(F.numberNode(s.path("minimum").asLong() - 1));
            out.add(F.numberNode(s.path("maximum").asLong() + 1));
            out.add(F.textNode("42"));
        } else if (type.equals("array")) {
            ArrayNode many = F.arrayNode();
            for (int i = 0; i < s.path("maxItems").asInt(10) + 1; i++) {
                many.add(example(s.get("items")));
            }
            out.add(many);
            ArrayNode wrongItems = F.arrayNode();
            wrongItems.add(F.numberNode(7)).add(F.objectNode());
            out.add(wrongItems);
        } else if (type.equals("object")) {
            for (JsonNode nested : invalidBodies(s, new Random(1)).subList(0, 12)) {
                out.add(nested);
            }
        }
        return out;
    }

    static JsonNode example(JsonNode s) {
        switch (s.path("type").asText()) {
            case "string" -> {
                if (s.has("enum")) {
                    return s.get("enum").get(0);
                }
                return F.textNode("abc");
            }
            case "integer" -> {
                return F.numberNode(s.path("minimum").asLong(0));
            }
            case "boolean" -> {
                return F.booleanNode(true);
            }
            case "array" -> {
                return F.arrayNode().add(example(s.get("items")));
            }
            default -> {
                ObjectNode o = F.objectNode();
                s.path("properties").properties().forEach(e -> o.set(e.getKey(), example(e.getValue())));
                return o;
            }
        }
    }

    static JsonNode mutate(JsonNode node, Random r) {
        if (node instanceof ObjectNode o && o.size() > 0) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            String pick = names.get(r.nextInt(names.size()));
            o.set(pick, r.nextInt(3) == 0 ? mutate(o.get(pick), r) : randomValue(r));
            return o;
        }
        if (node instanceof ArrayNode a && a.size() > 0) {
            a.set(r.nextInt(a.size()), randomValue(r));
            return a;
        }
        return randomValue(r);
    }

    static JsonNode randomValue(Random r) {
        return switch (r.nextInt(9)) {
            case 0 -> F.numberNode(r.nextLong());
            case 1 -> F.numberNode(r.nextDouble() * 1e300);
            case 2 -> F.textNode(randomString(r, r.nextInt(3) == 0 ? 5000 : 20));
            case 3 -> F.booleanNode(r.nextBoolean());
            case 4 -> F.nullNode();
            case 5 -> F.arrayNode().add(randomValue(r));
            case 6 -> F.objectNode().set(randomString(r, 5), randomValue(r));
            case 7 -> F.numberNode(Integer.MIN_VALUE);
            default -> F.textNode("collection:" + randomString(r, 8));
        };
    }

    static String randomString(Random r, int len) {
        StringBuilder sb = new StringBuilder(len);
        for (int i = 0; i < len; i++) {
            sb.append((char) (r.nextInt(5) == 0 ? r.nextInt(0xD7FF) : 32 + r.nextInt(95)));
        }
        return sb.toString();
    }

    static List<String> structuralGarbage(Random r) {
        List<String> out = new ArrayList<>(List.of("", "null", "[]", "\"s\"", "42", "{", "{\"a\":}", "{}{}",
                "{\"name\":\"x\",\"name\":\"y\"}", "\uFEFF{}", "{\"a\":1e999999}"));
        out.add("[".repeat(5000) + "]".repeat(5000));
        out.add("{\"a\":" + "{\"a\":".repeat(3000) + "1" + "}".repeat(3001));
        byte[] bytes = new byte[256];
        r.nextBytes(bytes);
        out.add(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1));
        return out;
    }
}
