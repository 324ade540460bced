package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.marchproxy.control.config.ConfigChange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VersionedConfigTest {
    TestPlane t;
    String admin;

    @BeforeEach
    void start() throws IOException {
        t = new TestPlane();
        admin = t.adminToken();
    }

    @AfterEach
    void stop() throws IOException {
        t.close();
    }

    @Test
    void resolvedConfigExpandsTargetsAndIsServedOnlyWithTheClusterKey() {
        String[] c = t.cluster(admin, "edge");
        String[] other = t.cluster(admin, "other");
        String web = t.service(admin, c[0], "web", "frontend");
        String api = t.service(admin, c[0], "api", "backend");
        String db = t.service(admin, c[0], "db", "backend");
        t.service(admin, other[0], "elsewhere", "backend");
        TestPlane.Res m = t.post("/api/v1/mappings", admin, "{\"name\":\"m\",\"clusterId\":\"" + c[0]
                + "\",\"sources\":[\"" + web + "\"],\"destinations\":[\"collection:backend\"],\"protocols\":[\"tcp\"],"
                + "\"ports\":\"5432,8000-8001\"}");
        assertEquals(201, m.status(), m.text());
        t.post("/api/v1/mappings", admin, "{\"name\":\"everything\",\"clusterId\":\"" + c[0]
                + "\",\"sources\":[\"all\"],\"destinations\":[\"all\"],\"protocols\":[\"udp\"],\"ports\":\"53\"}");
        assertEquals(201, t.post("/api/v1/qos", admin, "{\"serviceId\":\"" + db + "\",\"egressMbps\":100,"
                + "\"priority\":\"P0\",\"dscp\":46}").status());

        assertEquals(401, t.get("/api/v1/config/edge", null).status());
        assertEquals(401, t.get("/api/v1/config/edge", null, "X-Cluster-Key", c[1] + "x").status());
        assertEquals(401, t.get("/api/v1/config/edge", null, "X-Cluster-Key", "mpk.nope.abc").status());
        assertEquals(403, t.get("/api/v1/config/edge", null, "X-Cluster-Key", other[1]).status());
        assertEquals(401, t.get("/api/v1/config/edge", admin).status(), "a user token is not a cluster key");

        TestPlane.Res r = t.get("/api/v1/config/edge", null, "X-Cluster-Key", c[1]);
        assertEquals(200, r.status(), r.text());
        JsonNode cfg = r.json();
        long version = t.get("/api/v1/versions", admin).json().get("currentVersion").asLong();
        assertEquals(version, cfg.get("version").asLong());
        assertTrue(cfg.get("hash").asText().startsWith("sha256:"));
        assertEquals(3, cfg.get("services").size());
        JsonNode first = byName(cfg.get("mappings"), "m");
        assertEquals(List.of(web), strings(first.get("sourceServiceIds")));
        assertEquals(sorted(api, db), sorted(strings(first.get("destinationServiceIds")).toArray(String[]::new)));
        assertEquals(5432, first.get("ports").get(0).get("from").asInt());
        assertEquals(8001, first.get("ports").get(1).get("to").asInt());
        assertEquals(3, byName(cfg.get("mappings"), "everything").get("sourceServiceIds").size(),
                "all = the cluster's services");
        for (JsonNode s : cfg.get("services")) {
            if (s.get("id").asText().equals(db)) {
                assertEquals(46, s.get("qos").get("dscp").asInt());
            }
        }
        // by id works too, and an unchanged config answers 304 to its ETag
        assertEquals(200, t.get("/api/v1/config/" + c[0], null, "X-Cluster-Key", c[1]).status());
        assertEquals(304, t.get("/api/v1/config/edge", null, "X-Cluster-Key", c[1], "If-None-Match",
                r.header("ETag")).status());
        // a change in another cluster bumps the version but not this cluster's hash
        t.service(admin, other[0], "elsewhere-2", "backend");
        JsonNode after = t.get("/api/v1/config/edge", null, "X-Cluster-Key", c[1]).json();
        assertEquals(version + 1, after.get("version").asLong());
        assertEquals(cfg.get("hash").asText(), after.get("hash").asText());
    }

    @Test
    void versionsDiffAndRollbackRestoreEarlierContent() {
        String[] c = t.cluster(admin, "roll");
        String svc = t.service(admin, c[0], "svc", "default");
        JsonNode v1cfg = t.get("/api/v1/config/roll", null, "X-Cluster-Key", c[1]).json();
        long v1 = v1cfg.get("version").asLong();

        TestPlane.Res upd = t.put("/api/v1/services/" + svc, admin, "{\"name\":\"svc\",\"clusterId\":\"" + c[0]
                + "\",\"address\":\"10.9.9.9\",\"port\":9090,\"protocol\":\"tcp\"}");
        assertEquals(200, upd.status(), upd.text());
        String extra = t.service(admin, c[0], "extra", "default");
        JsonNode v3cfg = t.get("/api/v1/config/roll", null, "X-Cluster-Key", c[1]).json();
        assertEquals(v1 + 2, v3cfg.get("version").asLong());
        assertNotEquals(v1cfg.get("hash"), v3cfg.get("hash"));

        JsonNode versions = t.get("/api/v1/versions?limit=2", admin).json();
        assertEquals(2, versions.get("items").size());
        assertEquals(v1 + 2, versions.get("items").get(0).get("version").asLong());
        assertEquals("service.create", versions.get("items").get(0).get("action").asText());
        assertEquals("admin", versions.get("items").get(0).get("actor").asText());
        assertEquals(v1, t.get("/api/v1/versions?before=" + (v1 + 1) + "&limit=1", admin).json()
                .get("items").get(0).get("version").asLong());

        JsonNode diff = t.get("/api/v1/versions/diff?from=" + v1 + "&to=" + (v1 + 2), admin).json();
        assertEquals(2, diff.get("changes").size());
        List<String> kinds = new ArrayList<>();
        for (JsonNode ch : diff.get("changes")) {
            kinds.add(ch.get("change").asText() + ":" + ch.get("id").asText());
            if (ch.get("change").asText().equals("modified")) {
                assertEquals(8080, ch.get("before").get("port").asInt());
                assertEquals(9090, ch.get("after").get("port").asInt());
            }
        }
        assertTrue(kinds.contains("modified:" + svc) && kinds.contains("added:" + extra), kinds.toString());

        TestPlane.Res rb = t.post("/api/v1/versions/rollback", admin, "{\"version\":" + v1 + "}");
        assertEquals(201, rb.status(), rb.text());
        assertEquals(v1 + 3, rb.json().get("version").asLong());
        JsonNode rolled = t.get("/api/v1/config/roll", null, "X-Cluster-Key", c[1]).json();
        assertEquals(v1 + 3, rolled.get("version").asLong());
        assertEquals(v1cfg.get("hash").asText(), rolled.get("hash").asText(), "rollback restores v1's content");
        assertEquals(404, t.get("/api/v1/services/" + extra, admin).status());
        assertEquals(8080, t.get("/api/v1/services/" + svc, admin).json().get("port").asInt());
        // the old version is still fetchable as it was
        assertEquals(v3cfg.get("hash").asText(), t.get("/api/v1/config/roll?version=" + (v1 + 2), null,
                "X-Cluster-Key", c[1]).json().get("hash").asText());
        assertEquals(422, t.post("/api/v1/versions/rollback", admin, "{\"version\":999}").status());
        assertEquals(400, t.post("/api/v1/versions/rollback", admin, "{\"version\":\"one\"}").status());
        // the cluster key survives a rollback across its creation-era state
        assertEquals(200, t.get("/api/v1/config/roll", null, "X-Cluster-Key", c[1]).status());
    }

    @Test
    void aClusterBroughtBackByRollbackDoesNotTakeItsOldKeyBack() {
        String[] c = t.cluster(admin, "phoenix");
        long created = t.get("/api/v1/versions?limit=1", admin).json().get("items").get(0).get("version").asLong();
        assertEquals(200, t.get("/api/v1/config/phoenix", null, "X-Cluster-Key", c[1]).status());
        TestPlane.Res del = t.delete("/api/v1/clusters/" + c[0], admin, "If-Match", "\"1\"");
        assertEquals(204, del.status(), del.text());
        assertEquals(401, t.get("/api/v1/config/phoenix", null, "X-Cluster-Key", c[1]).status());

        assertEquals(201, t.post("/api/v1/versions/rollback", admin, "{\"version\":" + created + "}").status());
        assertEquals(200, t.get("/api/v1/clusters/" + c[0], admin).status(), "the cluster is back");
        assertEquals(401, t.get("/api/v1/config/phoenix", null, "X-Cluster-Key", c[1]).status(),
                "the deleted cluster's old key does not work again");
        TestPlane.Res rotated = t.post("/api/v1/clusters/" + c[0] + "/rotate-key", admin, "");
        assertEquals(200, rotated.status(), rotated.text());
        String key = rotated.json().get("apiKey").asText();
        assertEquals(200, t.get("/api/v1/config/phoenix", null, "X-Cluster-Key", key).status());
        assertEquals(401, t.get("/api/v1/config/phoenix", null, "X-Cluster-Key", c[1]).status());
    }

    @Test
    void listenersHearEveryVersionWithTheClustersItTouches() throws Exception {
        BlockingQueue<ConfigChange> changes = new LinkedBlockingQueue<>();
        AutoCloseable sub = t.plane.publisher().subscribe(changes::add);
        try {
            String[] a = t.cluster(admin, "la");
            String[] b = t.cluster(admin, "lb");
            ConfigChange ca = changes.poll(5, TimeUnit.SECONDS);
            ConfigChange cb = changes.poll(5, TimeUnit.SECONDS);
            assertNotNull(ca);
            assertNotNull(cb);
            assertEquals(ca.version() + 1, cb.version());
            assertTrue(ca.affects(a[0]) && !ca.affects(b[0]));
            String s = t.service(admin, b[0], "lsvc", "default");
            ConfigChange cs = changes.poll(5, TimeUnit.SECONDS);
            assertEquals(java.util.Set.of(b[0]), cs.clusterIds());
            assertEquals("service.create", cs.action());
            assertEquals(204, t.delete("/api/v1/services/" + s, admin).status());
            assertEquals(java.util.Set.of(b[0]), changes.poll(5, TimeUnit.SECONDS).clusterIds(),
                    "a delete is attributed to the cluster the entity was in");
            assertTrue(t.plane.publisher().resolve(b[0]).orElseThrow().services().isEmpty());
            // a user change is not a config change
            t.post("/api/v1/users", admin, "{\"username\":\"quiet\",\"role\":\"viewer\",\"password\":\"quiet-password\"}");
            t.cluster(admin, "lc");
            assertEquals("cluster.create", changes.poll(5, TimeUnit.SECONDS).action());
        } finally {
            sub.close();
        }
        assertFalse(changes.iterator().hasNext());
    }

    private static JsonNode byName(JsonNode arr, String name) {
        for (JsonNode n : arr) {
            if (n.get("name").asText().equals(name)) {
                return n;
            }
        }
        throw new AssertionError("no " + name + " in " + arr);
    }

    private static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> sorted(String... s) {
        return java.util.Arrays.stream(s).sorted().toList();
    }
}
