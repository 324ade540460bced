package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The long poll of {@code GET /api/v1/config/{cluster}?after=N&wait=S} against a real control plane: held until the
 * cluster (and only it) changes, answered at once when it already has or when N is ahead of the server, 304 when the
 * wait passes, 401 when the key is rotated while the request waits, 503 beyond the bound on held requests; and what
 * a proxy's heartbeat and the proxies view say about the version a proxy serves.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConfigLongPollTest {
    TestPlane t;
    String admin;

    @BeforeEach
    void start() throws IOException {
        t = new TestPlane(TestPlane.settings(Files.createTempDirectory("marchproxy-longpoll"), "",
                TestPlane.ADMIN_PASSWORD).withMaxConfigWaiters(2), true);
        admin = t.adminToken();
    }

    @AfterEach
    void stop() throws IOException {
        t.close();
    }

    private CompletableFuture<TestPlane.Res> poll(String cluster, String key, long after, int wait) {
        return CompletableFuture.supplyAsync(() -> t.get("/api/v1/config/" + cluster + "?after=" + after + "&wait="
                + wait, null, "X-Cluster-Key", key));
    }

    private long version() {
        return t.plane.store().state().configVersion();
    }

    /** Until the watch has been told of every committed change. */
    private void awaitDispatched() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (t.plane.configWatch().dispatchedVersion() < version()) {
            assertTrue(System.nanoTime() < deadline, "changes not dispatched");
            Thread.sleep(5);
        }
    }

    /** Until {@code n} long polls are held by the server. */
    private void awaitWaiting(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (t.plane.configWatch().waiting() < n) {
            assertTrue(System.nanoTime() < deadline, "long polls held: " + t.plane.configWatch().waiting());
            Thread.sleep(5);
        }
    }

    @Test
    void aHeldPollWakesOnItsClustersChangeOnly() throws Exception {
        String[] edge = t.cluster(admin, "edge");
        String[] other = t.cluster(admin, "other");
        long start = version();

        CompletableFuture<TestPlane.Res> held = poll("edge", edge[1], start, 30);
        awaitWaiting(1);
        t.service(admin, other[0], "elsewhere", "default");
        awaitDispatched();
        Thread.sleep(50); // a wrongly woken poll would have answered by now
        assertFalse(held.isDone(), "a change of another cluster leaves the poll waiting");
        assertEquals(1, t.plane.configWatch().waiting());
        assertEquals(304, t.get("/api/v1/config/edge?after=" + start + "&wait=0", null, "X-Cluster-Key", edge[1])
                .status(), "nor does it count as a change of edge for a new poll");
        t.service(admin, edge[0], "web", "default");
        long changed = version();
        TestPlane.Res r = held.get(20, TimeUnit.SECONDS);
        assertEquals(200, r.status(), r.text());
        assertEquals(changed, r.json().get("version").asLong());
        assertEquals("web", r.json().at("/services/0/name").asText());
        assertEquals("\"" + r.json().get("hash").asText() + "\"", r.header("ETag"));
    }

    @Test
    void answeredAtOnceWhenItChangedAlreadyOrTheVersionIsAheadAnd304WhenTheWaitPasses() throws Exception {
        String[] edge = t.cluster(admin, "edge");
        long created = version();
        t.service(admin, edge[0], "web", "default");

        TestPlane.Res behind = t.get("/api/v1/config/edge?after=" + created + "&wait=60", null, "X-Cluster-Key",
                edge[1]);
        assertEquals(200, behind.status(), "changed after the version asked about: at once");
        assertEquals(version(), behind.json().get("version").asLong());

        TestPlane.Res ahead = t.get("/api/v1/config/edge?after=" + (version() + 1000) + "&wait=60", null,
                "X-Cluster-Key", edge[1]);
        assertEquals(200, ahead.status(), "a version this server never had (a restore): the current one at once");

        TestPlane.Res now = t.get("/api/v1/config/" + edge[0] + "?after=" + version() + "&wait=0", null,
                "X-Cluster-Key", edge[1]);
        assertEquals(304, now.status(), "wait=0 answers at once");
        assertEquals("", now.text());
        assertEquals(behind.header("ETag"), now.header("ETag"));

        TestPlane.Res waited = t.get("/api/v1/config/edge?after=" + version() + "&wait=1", null, "X-Cluster-Key",
                edge[1]);
        assertEquals(304, waited.status(), "nothing changed within the wait");

        TestPlane.Res both = t.get("/api/v1/config/edge?after=1&version=1", null, "X-Cluster-Key", edge[1]);
        assertEquals(422, both.status());
        assertEquals("after", both.json().get("field").asText());
        assertEquals(400, t.get("/api/v1/config/edge?after=1&wait=61", null, "X-Cluster-Key", edge[1]).status());
    }

    @Test
    void aKeyRotatedWhileThePollWaitsIsRefusedWhenItWakes() throws Exception {
        String[] edge = t.cluster(admin, "edge");
        CompletableFuture<TestPlane.Res> held = poll("edge", edge[1], version(), 30);
        awaitWaiting(1);
        TestPlane.Res rotated = t.post("/api/v1/clusters/" + edge[0] + "/rotate-key", admin, "");
        assertEquals(200, rotated.status(), rotated.text());
        TestPlane.Res r = held.get(20, TimeUnit.SECONDS);
        assertEquals(401, r.status(), "the config is not handed to the holder of a revoked key: " + r.text());
        assertEquals(200, t.get("/api/v1/config/edge", null, "X-Cluster-Key",
                rotated.json().get("apiKey").asText()).status());
    }

    @Test
    void heldPollsAreBoundedAndAnsweredWhenThePlaneStops() throws Exception {
        String[] edge = t.cluster(admin, "edge");
        CompletableFuture<TestPlane.Res> first = poll("edge", edge[1], version(), 60);
        CompletableFuture<TestPlane.Res> second = poll("edge", edge[1], version(), 60);
        awaitWaiting(2);
        TestPlane.Res third = t.get("/api/v1/config/edge?after=" + version() + "&wait=60", null, "X-Cluster-Key",
                edge[1]);
        assertEquals(503, third.status(), "beyond maxConfigWaiters: " + third.text());
        assertNotNull(third.header("Retry-After"));
        assertFalse(first.isDone() || second.isDone());

        long closing = System.nanoTime();
        t.plane.close();
        assertTrue(System.nanoTime() - closing < TimeUnit.SECONDS.toNanos(30),
                "the plane stops without sitting out the 60 s waits");
        for (CompletableFuture<TestPlane.Res> held : new CompletableFuture[]{first, second}) {
            try {
                TestPlane.Res r = held.get(10, TimeUnit.SECONDS);
                assertEquals(503, r.status(), r.text());
            } catch (java.util.concurrent.ExecutionException e) {
                // the connection closed with the server: as good an answer for a poller, which retries
            }
        }
    }

    @Test
    void heartbeatsAndTheProxiesViewSayWhetherAProxyServesItsClustersLatestConfig() throws Exception {
        String[] edge = t.cluster(admin, "edge");
        String[] other = t.cluster(admin, "other");
        TestPlane.Res reg = t.post("/api/v1/proxies/register", null, "{\"name\":\"agent-1\",\"hostname\":\"a1\","
                + "\"address\":\"192.0.2.1\"}", "X-Cluster-Key", edge[1]);
        assertEquals(201, reg.status(), reg.text());
        String proxy = "/api/v1/proxies/" + reg.json().get("id").asText();
        assertEquals("unknown", reg.json().get("health").asText(), "no heartbeat yet");

        long serving = version();
        awaitDispatched();
        TestPlane.Res beat = t.post(proxy + "/heartbeat", null, "{\"configVersion\":" + serving + ",\"metrics\":"
                + "{\"rxPackets\":5,\"connectionsOpened\":2,\"accessDenied\":1},\"problems\":[]}", "X-Cluster-Key",
                edge[1]);
        assertEquals(200, beat.status(), beat.text());
        assertFalse(beat.json().get("configChanged").asBoolean());
        JsonNode view = t.get(proxy, admin).json();
        assertEquals("ok", view.get("health").asText());
        assertTrue(view.get("configCurrent").asBoolean());
        assertEquals(2, view.at("/metrics/connectionsOpened").asLong());

        t.service(admin, other[0], "elsewhere", "default");
        awaitDispatched();
        assertFalse(t.post(proxy + "/heartbeat", null, "{\"configVersion\":" + serving + "}", "X-Cluster-Key",
                edge[1]).json().get("configChanged").asBoolean(), "another cluster's change is not this proxy's");
        assertTrue(t.get(proxy, admin).json().get("configCurrent").asBoolean());

        t.service(admin, edge[0], "web", "default");
        assertTrue(t.post(proxy + "/heartbeat", null, "{\"configVersion\":" + serving + ",\"problems\":[\"web: "
                + "backend 10.0.1.1 unreachable\"]}", "X-Cluster-Key", edge[1]).json().get("configChanged")
                .asBoolean());
        view = t.get(proxy, admin).json();
        assertFalse(view.get("configCurrent").asBoolean(), "edge changed after the version it serves");
        assertEquals("degraded", view.get("health").asText());
        assertEquals("web: backend 10.0.1.1 unreachable", view.at("/problems/0").asText());

        TestPlane.Res tooMany = t.post(proxy + "/heartbeat", null, "{\"problems\":[" + "\"x\",".repeat(16) + "\"x\"]}",
                "X-Cluster-Key", edge[1]);
        assertEquals(400, tooMany.status(), tooMany.text());
    }
}
