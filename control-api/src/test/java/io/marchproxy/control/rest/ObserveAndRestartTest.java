package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.marchproxy.control.observe.Scrape;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ObserveAndRestartTest {

    @Test
    void healthAndPrometheusMetrics() throws Exception {
        try (TestPlane t = new TestPlane()) {
            String admin = t.adminToken();
            String cid = t.cluster(admin, "obs")[0];
            t.get("/api/v1/clusters/" + cid, admin);
            t.get("/api/v1/clusters/" + cid, admin);
            TestPlane.Res anonymous = t.get("/observe/health", null);
            assertEquals(200, anonymous.status());
            assertEquals("{\"status\":\"UP\"}", anonymous.text(), "without credentials: the status only");
            assertEquals(401, t.get("/observe/health", "not-a-token").status(), "bad credentials are refused");
            t.post("/api/v1/users", admin, "{\"username\":\"watcher\",\"role\":\"viewer\","
                    + "\"password\":\"watcher-password\"}");
            TestPlane.Res health = t.get("/observe/health", t.login("watcher", "watcher-password"));
            assertEquals(200, health.status());
            JsonNode h = health.json();
            assertEquals("UP", h.get("status").asText());
            JsonNode data = h.get("checks").get(0).get("data");
            assertTrue(data.get("writable").asBoolean());
            assertTrue(data.get("journalLagEvents").asLong() >= 2);
            TestPlane.Res metrics = t.get("/observe/metrics", null);
            assertEquals(200, metrics.status());
            assertTrue(metrics.header("Content-Type").startsWith("text/plain"));
            String m = metrics.text();
            assertTrue(m.contains("marchproxy_http_requests_total{method=\"GET\",route=\"/api/v1/clusters/{id}\","
                    + "status=\"200\"} 2"), m);
            assertTrue(m.contains("marchproxy_http_request_duration_seconds_count{method=\"POST\","
                    + "route=\"/api/v1/clusters\"} 1"), m);
            assertTrue(m.contains("marchproxy_store_entities{kind=\"cluster\"} 1"));
            assertTrue(m.contains("marchproxy_proxies{status=\"pending\"} 0"));
            assertTrue(m.contains("marchproxy_store_writable 1"));
            Scrape scrape = Scrape.parse(m);
            assertEquals(2, scrape.value("marchproxy_http_requests_total{method=\"GET\","
                    + "route=\"/api/v1/clusters/{id}\",status=\"200\"}"));
            assertEquals("counter", scrape.type("marchproxy_http_requests_total"), m);
            assertEquals("histogram", scrape.type("marchproxy_http_request_duration_seconds"), m);
            assertEquals(1, scrape.value("marchproxy_store_writable"));
            // client_java's JVM and process metrics, and what build runs
            for (String name : new String[]{"jvm_memory_used_bytes", "jvm_threads_current", "jvm_gc_collection_seconds_count",
                    "process_cpu_seconds_total", "process_open_fds", "process_resident_memory_bytes"}) {
                assertTrue(scrape.has(name), name + " in\n" + m);
            }
            assertEquals(1, scrape.value("marchproxy_build_info{java_vendor=\"" + System.getProperty("java.vendor")
                    + "\",java_version=\"" + Runtime.version() + "\",version=\"dev\"}"), m);
            // a scraper asking for OpenMetrics gets it, with the same names
            TestPlane.Res open = t.get("/observe/metrics", null, "Accept",
                    "application/openmetrics-text; version=1.0.0; charset=utf-8");
            assertTrue(open.header("Content-Type").startsWith("application/openmetrics-text"),
                    open.header("Content-Type"));
            assertTrue(open.text().endsWith("# EOF\n"), open.text());
            assertTrue(open.text().contains("\nmarchproxy_store_writable 1"), open.text());
        }
    }

    @Test
    void stateKeysAndTokensSurviveARestartAndTheGeneratedPasswordIsPrintedOnce() throws Exception {
        Path dir = Files.createTempDirectory("marchproxy-restart");
        String token;
        String[] cluster;
        try {
            try (TestPlane first = new TestPlane(TestPlane.settings(dir, "", ""), false)) {
                String out = first.console.toString(StandardCharsets.UTF_8);
                Matcher m = Pattern.compile("generated password: (\\S+)").matcher(out);
                assertTrue(m.find(), out);
                token = first.login("admin", m.group(1));
                cluster = first.cluster(token, "persist");
                for (int i = 0; i < 5; i++) {
                    first.service(token, cluster[0], "svc-" + i, "default");
                }
            }
            try (TestPlane second = new TestPlane(TestPlane.settings(dir, "", ""), false)) {
                assertFalse(second.console.toString(StandardCharsets.UTF_8).contains("password"),
                        "the generated password is printed only at first start");
                assertEquals(5, second.get("/api/v1/services", token).json().get("total").asInt(),
                        "a token from before the restart is still valid: the JWT key persisted");
                assertEquals(200, second.get("/api/v1/config/persist", null, "X-Cluster-Key", cluster[1]).status(),
                        "the cluster key still works");
                assertEquals(6, second.plane.store().state().configVersion());
            }
        } finally {
            TestPlane.deleteTree(dir);
        }
    }
}
