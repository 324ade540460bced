package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClustersServicesMappingsTest {
    static TestPlane t;
    static String admin;

    @BeforeAll
    static void start() throws IOException {
        t = new TestPlane();
        admin = t.adminToken();
    }

    @AfterAll
    static void stop() throws IOException {
        t.close();
    }

    @Test
    void clusterCrudWithKeyShownOnceAndEtags() {
        TestPlane.Res created = t.post("/api/v1/clusters", admin,
                "{\"name\":\"alpha\",\"description\":\"first\",\"maxProxies\":5,\"syslogEndpoint\":\"10.1.1.1:514\","
                        + "\"logging\":{\"netflow\":true}}");
        assertEquals(201, created.status(), created.text());
        JsonNode c = created.json();
        String id = c.get("id").asText();
        assertTrue(c.get("apiKey").asText().startsWith("mpk." + id + "."));
        assertFalse(c.has("apiKeyHash"));
        assertEquals("\"1\"", created.header("ETag"));
        assertEquals("/api/v1/clusters/" + id, created.header("Location"));
        assertTrue(c.get("logging").get("netflow").asBoolean());

        TestPlane.Res read = t.get("/api/v1/clusters/" + id, admin);
        assertEquals(200, read.status());
        assertFalse(read.json().has("apiKey"), "key is shown only at creation");
        assertFalse(read.text().contains(c.get("apiKey").asText()));

        String body = "{\"name\":\"alpha\",\"description\":\"changed\",\"maxProxies\":5}";
        TestPlane.Res stale = t.put("/api/v1/clusters/" + id, admin, body, "If-Match", "\"7\"");
        assertEquals(412, stale.status());
        assertEquals("application/problem+json", stale.header("Content-Type"));
        TestPlane.Res updated = t.put("/api/v1/clusters/" + id, admin, body, "If-Match", "\"1\"");
        assertEquals(200, updated.status(), updated.text());
        assertEquals("\"2\"", updated.header("ETag"));
        assertEquals("changed", updated.json().get("description").asText());
        // a second writer holding the old ETag loses
        assertEquals(412, t.put("/api/v1/clusters/" + id, admin, body, "If-Match", "\"1\"").status());

        TestPlane.Res rotated = t.post("/api/v1/clusters/" + id + "/rotate-key", admin, null);
        assertEquals(200, rotated.status(), rotated.text());
        assertFalse(rotated.json().get("apiKey").asText().equals(c.get("apiKey").asText()));

        TestPlane.Res dup = t.post("/api/v1/clusters", admin, "{\"name\":\"alpha\"}");
        assertEquals(409, dup.status());
        assertEquals("name", dup.json().get("field").asText());

        assertEquals(204, t.delete("/api/v1/clusters/" + id, admin).status());
        assertEquals(404, t.get("/api/v1/clusters/" + id, admin).status());
    }

    @Test
    void concurrentWritersWithTheSameEtagHaveExactlyOneWinner() throws Exception {
        String cid = t.cluster(admin, "race")[0];
        String sid = t.service(admin, cid, "race-svc", "default");
        int writers = 8;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            java.util.List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
            for (int i = 0; i < writers; i++) {
                int port = 9000 + i;
                results.add(pool.submit(() -> {
                    go.await();
                    return t.put("/api/v1/services/" + sid, admin, "{\"name\":\"race-svc\",\"clusterId\":\"" + cid
                            + "\",\"address\":\"10.0.0.1\",\"port\":" + port + ",\"protocol\":\"tcp\"}",
                            "If-Match", "\"1\"").status();
                }));
            }
            go.countDown();
            java.util.List<Integer> statuses = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<Integer> f : results) {
                statuses.add(f.get(30, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertEquals(1, statuses.stream().filter(s -> s == 200).count(), statuses.toString());
            assertEquals(writers - 1, statuses.stream().filter(s -> s == 412).count(), statuses.toString());
            assertEquals(2, t.get("/api/v1/services/" + sid, admin).json().get("revision").asInt());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void repeatedFailedLoginsLockTheUsernameOutForAGrowingTime() throws InterruptedException {
        assertEquals(201, t.post("/api/v1/users", admin,
                "{\"username\":\"locky\",\"role\":\"viewer\",\"password\":\"locky-password\"}").status());
        String wrong = "{\"username\":\"locky\",\"password\":\"guess\"}";
        String right = "{\"username\":\"locky\",\"password\":\"locky-password\"}";
        for (int i = 0; i < 5; i++) {
            assertEquals(401, t.post("/api/v1/auth/login", null, wrong).status());
        }
        TestPlane.Res locked = t.post("/api/v1/auth/login", null, right);
        assertEquals(429, locked.status(), "locked out even with the right password");
        assertEquals("username", locked.json().get("field").asText());
        assertEquals(401, t.post("/api/v1/auth/login", null,
                "{\"username\":\"nobody-here\",\"password\":\"x\"}").status(), "other usernames are not affected");
        Thread.sleep(1100);
        assertEquals(200, t.post("/api/v1/auth/login", null, right).status());
        assertEquals(401, t.post("/api/v1/auth/login", null, wrong).status(), "success reset the count");
    }

    @Test
    void validationNamesTheField() {
        TestPlane.Res r = t.post("/api/v1/clusters", admin, "{\"name\":\"Bad Name\",\"maxProxies\":\"x\"}");
        assertEquals(400, r.status());
        assertEquals("application/problem+json", r.header("Content-Type"));
        JsonNode p = r.json();
        assertEquals("name", p.get("field").asText());
        assertEquals(400, p.get("status").asInt());
        assertEquals(2, p.get("errors").size());
        assertEquals("maxProxies", p.get("errors").get(1).get("field").asText());

        String cid = t.cluster(admin, "val")[0];
        TestPlane.Res port = t.post("/api/v1/services", admin, "{\"name\":\"s\",\"clusterId\":\"" + cid
                + "\",\"address\":\"10.0.0.1\",\"port\":70000,\"protocol\":\"tcp\"}");
        assertEquals(400, port.status());
        assertEquals("port", port.json().get("field").asText());
        TestPlane.Res backend = t.post("/api/v1/services", admin, "{\"name\":\"s\",\"clusterId\":\"" + cid
                + "\",\"address\":\"10.0.0.1\",\"port\":80,\"protocol\":\"tcp\",\"backends\":[{\"address\":\"x..y\","
                + "\"port\":80}]}");
        assertEquals(422, backend.status(), "an address rule, beyond the published schema");
        assertEquals("backends[0].address", backend.json().get("field").asText());
        TestPlane.Res hc = t.post("/api/v1/services", admin, "{\"name\":\"s\",\"clusterId\":\"" + cid
                + "\",\"address\":\"db.internal\",\"port\":80,\"protocol\":\"http\",\"healthCheck\":{\"path\":\"/h\","
                + "\"intervalSeconds\":1}}");
        assertEquals("healthCheck.intervalSeconds", hc.json().get("field").asText());
        TestPlane.Res jwt = t.post("/api/v1/services", admin, "{\"name\":\"s\",\"clusterId\":\"" + cid
                + "\",\"address\":\"10.0.0.1\",\"port\":80,\"protocol\":\"http\",\"auth\":{\"type\":\"jwt\","
                + "\"jwtSecret\":\"0123456789abcdef0123456789abcdef\",\"jwtExpirySeconds\":60}}");
        assertEquals("auth.jwtExpirySeconds", jwt.json().get("field").asText());
        TestPlane.Res unknownCluster = t.post("/api/v1/services", admin, "{\"name\":\"s\",\"clusterId\":\"nope\","
                + "\"address\":\"10.0.0.1\",\"port\":80,\"protocol\":\"tcp\"}");
        assertEquals(422, unknownCluster.status());
        assertEquals("clusterId", unknownCluster.json().get("field").asText());
        TestPlane.Res malformed = t.post("/api/v1/services", admin, "{\"name\":");
        assertEquals(400, malformed.status());
        TestPlane.Res unknownField = t.post("/api/v1/clusters", admin, "{\"name\":\"ok\",\"colour\":\"red\"}");
        assertEquals("colour", unknownField.json().get("field").asText());
        TestPlane.Res wrongType = t.send("POST", "/api/v1/clusters", admin, null, "Content-Type", "text/plain");
        assertEquals(415, wrongType.status(), wrongType.toString());
        assertEquals(400, t.get("/api/v1/clusters?limit=0", admin).status());
        assertEquals("colour", t.get("/api/v1/clusters?colour=red", admin).json().get("field").asText());
    }

    @Test
    void servicesAndMappingsWithCollectionsPagingAndReferences() {
        String cid = t.cluster(admin, "beta")[0];
        String web = t.service(admin, cid, "beta-web", "frontend");
        String api = t.service(admin, cid, "beta-api", "backend");
        String db = t.service(admin, cid, "beta-db", "backend");
        TestPlane.Res page = t.get("/api/v1/services?clusterId=" + cid + "&collection=backend&limit=1", admin);
        assertEquals(200, page.status());
        assertEquals(2, page.json().get("total").asInt());
        assertEquals(1, page.json().get("items").size());
        assertEquals(api, page.json().get("items").get(0).get("id").asText());
        TestPlane.Res next = t.get("/api/v1/services?clusterId=" + cid + "&collection=backend&limit=1&offset=1",
                admin);
        assertEquals(db, next.json().get("items").get(0).get("id").asText());
        TestPlane.Res off = t.post("/api/v1/services", admin, "{\"name\":\"beta-off\",\"clusterId\":\"" + cid
                + "\",\"address\":\"10.0.0.9\",\"port\":81,\"protocol\":\"udp\",\"active\":false}");
        assertEquals(201, off.status(), off.text());
        JsonNode inactive = t.get("/api/v1/services?clusterId=" + cid + "&active=false", admin).json();
        assertEquals(1, inactive.get("total").asInt(), "a boolean filter");
        assertEquals(off.json().get("id").asText(), inactive.get("items").get(0).get("id").asText());
        assertEquals(3, t.get("/api/v1/services?clusterId=" + cid + "&active=true", admin).json().get("total").asInt());
        assertEquals(1, t.get("/api/v1/services?clusterId=" + cid + "&protocol=udp&name=beta-off", admin).json()
                .get("total").asInt(), "filters combine");
        TestPlane.Res badFlag = t.get("/api/v1/services?clusterId=" + cid + "&active=maybe", admin);
        assertEquals(400, badFlag.status(), badFlag.text());
        assertEquals("active", badFlag.json().get("field").asText());

        TestPlane.Res mapping = t.post("/api/v1/mappings", admin, "{\"name\":\"web-to-backend\",\"clusterId\":\""
                + cid + "\",\"sources\":[\"" + web + "\"],\"destinations\":[\"collection:backend\"],"
                + "\"protocols\":[\"tcp\"],\"ports\":\"80,443,8000-8100\"}");
        assertEquals(201, mapping.status(), mapping.text());
        TestPlane.Res badPorts = t.post("/api/v1/mappings", admin, "{\"name\":\"m2\",\"clusterId\":\"" + cid
                + "\",\"sources\":[\"all\"],\"destinations\":[\"all\"],\"protocols\":[\"tcp\"],\"ports\":\"90-80\"}");
        assertEquals(422, badPorts.status(), "a port-list rule, beyond the published schema");
        assertEquals("ports", badPorts.json().get("field").asText());
        TestPlane.Res badRef = t.post("/api/v1/mappings", admin, "{\"name\":\"m3\",\"clusterId\":\"" + cid
                + "\",\"sources\":[\"all\"],\"destinations\":[\"all\",\"missing-id\"],\"protocols\":[\"tcp\"],"
                + "\"ports\":\"80\"}");
        assertEquals(422, badRef.status());
        assertEquals("destinations[1]", badRef.json().get("field").asText());

        TestPlane.Res blocked = t.delete("/api/v1/services/" + web, admin);
        assertEquals(409, blocked.status());
        TestPlane.Res clusterBlocked = t.delete("/api/v1/clusters/" + cid, admin);
        assertEquals(409, clusterBlocked.status());
        assertNotNull(clusterBlocked.json().get("detail"));
    }

    @Test
    void authAndRolesAreEnforced() throws InterruptedException {
        assertEquals(401, t.get("/api/v1/services", null).status());
        TestPlane.Res noCreds = t.post("/api/v1/clusters", null, "{\"name\":\"x\"}");
        assertEquals(401, noCreds.status());
        assertNotNull(noCreds.header("WWW-Authenticate"));
        assertEquals(401, t.get("/api/v1/services", "not.a.token").status());
        assertEquals(401, t.post("/api/v1/auth/login", null,
                "{\"username\":\"admin\",\"password\":\"wrong\"}").status());

        TestPlane.Res viewer = t.post("/api/v1/users", admin,
                "{\"username\":\"vera\",\"role\":\"viewer\",\"password\":\"viewer-password-1\"}");
        assertEquals(201, viewer.status(), viewer.text());
        assertFalse(viewer.text().contains("passwordHash"));
        assertFalse(viewer.text().contains("viewer-password-1"));
        String viewerToken = t.login("vera", "viewer-password-1");
        assertEquals(200, t.get("/api/v1/clusters", viewerToken).status());
        assertEquals(403, t.post("/api/v1/clusters", viewerToken, "{\"name\":\"nope\"}").status());
        assertEquals(403, t.get("/api/v1/users", viewerToken).status());

        t.post("/api/v1/users", admin, "{\"username\":\"otto\",\"role\":\"operator\",\"password\":\"operator-pass-1\"}");
        String op = t.login("otto", "operator-pass-1");
        assertEquals(201, t.post("/api/v1/clusters", op, "{\"name\":\"by-operator\"}").status());
        assertEquals(403, t.post("/api/v1/users", op,
                "{\"username\":\"eve\",\"role\":\"admin\",\"password\":\"operator-pass-1\"}").status());

        // deactivating a user revokes their live token
        String vid = viewer.json().get("id").asText();
        assertEquals(200, t.put("/api/v1/users/" + vid, admin,
                "{\"username\":\"vera\",\"role\":\"viewer\",\"active\":false}").status());
        assertEquals(401, t.get("/api/v1/clusters", viewerToken).status());

        // the last admin cannot demote themselves
        String adminId = t.get("/api/v1/users?username=admin", admin).json().get("items").get(0).get("id").asText();
        TestPlane.Res demote = t.put("/api/v1/users/" + adminId, admin, "{\"username\":\"admin\",\"role\":\"viewer\"}");
        assertEquals(409, demote.status());
        // users change their own password with the current one
        String opId = t.get("/api/v1/users?username=otto", admin).json().get("items").get(0).get("id").asText();
        TestPlane.Res wrongCurrent = t.post("/api/v1/auth/password", op,
                "{\"currentPassword\":\"nope\",\"newPassword\":\"operator-pass-2\"}");
        assertEquals(422, wrongCurrent.status());
        assertEquals("currentPassword", wrongCurrent.json().get("field").asText());
        assertEquals(400, t.post("/api/v1/auth/password", op,
                "{\"currentPassword\":\"operator-pass-1\",\"newPassword\":\"short\"}").status());
        Thread.sleep(1100); // token issue times have one-second resolution
        assertEquals(204, t.post("/api/v1/auth/password", op,
                "{\"currentPassword\":\"operator-pass-1\",\"newPassword\":\"operator-pass-2\"}").status());
        assertEquals(401, t.post("/api/v1/auth/login", null,
                "{\"username\":\"otto\",\"password\":\"operator-pass-1\"}").status());
        assertEquals(401, t.get("/api/v1/clusters", op).status(), "tokens from before the change are revoked");
        String op2 = t.login("otto", "operator-pass-2");
        assertEquals(200, t.get("/api/v1/clusters", op2).status());
        assertEquals(2, t.get("/api/v1/users/" + opId, admin).json().get("revision").asInt());

        TestPlane.Res refreshed = t.post("/api/v1/auth/refresh", admin, null);
        assertEquals(200, refreshed.status());
        assertEquals(200, t.get("/api/v1/clusters", refreshed.json().get("token").asText()).status());
    }

    /**
     * Even with another admin present, an admin cannot delete, disable or demote their own account, nor set their own
     * password without the current one; the other admin can do all of it. (A fuzzer holding an admin token found it
     * could lock itself out.)
     */
    @Test
    void anAdminCannotLockThemselvesOut() {
        String selfId = t.post("/api/v1/users", admin, "{\"username\":\"self\",\"role\":\"admin\","
                + "\"password\":\"self-password-1\"}").json().get("id").asText();
        t.post("/api/v1/users", admin, "{\"username\":\"other\",\"role\":\"admin\",\"password\":\"other-password-1\"}");
        String self = t.login("self", "self-password-1");
        String me = "/api/v1/users/" + selfId;
        TestPlane.Res delete = t.delete(me, self);
        assertEquals(409, delete.status(), delete.text());
        assertEquals("id", delete.json().get("field").asText());
        assertEquals("active", t.put(me, self, "{\"username\":\"self\",\"role\":\"admin\",\"active\":false}")
                .json().get("field").asText());
        assertEquals("role", t.put(me, self, "{\"username\":\"self\",\"role\":\"viewer\"}").json().get("field")
                .asText());
        TestPlane.Res password = t.put(me, self, "{\"username\":\"self\",\"role\":\"admin\","
                + "\"password\":\"self-password-2\"}");
        assertEquals(422, password.status(), password.text());
        assertEquals(200, t.get("/api/v1/clusters", self).status(), "still in, token still valid");
        assertEquals(200, t.put(me, self, "{\"username\":\"self\",\"role\":\"admin\"}").status(),
                "other changes to one's own account are fine");

        String other = t.login("other", "other-password-1");
        assertEquals(200, t.put(me, other, "{\"username\":\"self\",\"role\":\"viewer\",\"active\":false}")
                .status(), "another admin can");
        assertEquals(204, t.delete(me, other).status());
    }
}
