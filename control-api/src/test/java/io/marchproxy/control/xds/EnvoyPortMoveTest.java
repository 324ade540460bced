package io.marchproxy.control.xds;

import io.marchproxy.control.rest.TestPlane;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 9, item 1: an http service that moves to another port must be served on the new port, and every http listener
 * created afterwards too. Envoy's route subscription changes name with the listener (routes are named after it); the
 * server must answer the new name at once, whatever versions and names the stream held before.
 */
@Timeout(120)
class EnvoyPortMoveTest {
    @Test
    void servesAnHttpServiceThatMovesToAnotherPortAndEveryListenerCreatedAfterIt() throws Exception {
        try (XdsLab lab = new XdsLab(); Backends backends = new Backends()) {
            String clusterId = lab.cluster("moving");
            try (EnvoyProcess envoy = lab.envoy("moving", "envoy-port-move", Duration.ofSeconds(60))) {
                int backend = backends.http("mover");
                int p = Backends.freePort();
                String body = "{\"name\":\"mover\",\"clusterId\":\"" + clusterId + "\",\"address\":\"127.0.0.1\","
                        + "\"port\":%d,\"protocol\":\"http\",\"backends\":[{\"address\":\"127.0.0.1\",\"port\":"
                        + backend + "}]}";
                String id = lab.create("/api/v1/services", body.formatted(p));
                envoy.await("port " + p + " to serve mover", Duration.ofSeconds(15),
                        () -> Http1.get(p, null).ok("mover"));

                int q = Backends.freePort();
                TestPlane.Res put = lab.send("PUT", "/api/v1/services/" + id, body.formatted(q));
                assertEquals(200, put.status(), put.text());
                envoy.await("port " + q + " to serve mover after the move", Duration.ofSeconds(15),
                        () -> Http1.get(q, null).ok("mover"));

                int later = backends.http("later");
                int r = Backends.freePort();
                lab.create("/api/v1/services", ("{\"name\":\"later\",\"clusterId\":\"" + clusterId
                        + "\",\"address\":\"127.0.0.1\",\"port\":" + r + ",\"protocol\":\"http\",\"backends\":[{"
                        + "\"address\":\"127.0.0.1\",\"port\":" + later + "}]}"));
                envoy.await("a listener created after the move to serve", Duration.ofSeconds(15),
                        () -> Http1.get(r, null).ok("later"));
                envoy.await("no listener left warming", Duration.ofSeconds(10),
                        () -> envoy.stat("listener_manager.total_listeners_warming") == 0);
            }
        }
    }

    @Test
    void servesAServiceMovedOntoAPortAnotherServiceHoldsWithItsOwnBackend() throws Exception {
        try (XdsLab lab = new XdsLab(); Backends backends = new Backends()) {
            String clusterId = lab.cluster("sharing");
            try (EnvoyProcess envoy = lab.envoy("sharing", "envoy-port-share", Duration.ofSeconds(60))) {
                String body = "{\"name\":\"%s\",\"clusterId\":\"" + clusterId + "\",\"address\":\"127.0.0.1\","
                        + "\"port\":%d,\"protocol\":\"http\",\"backends\":[{\"address\":\"127.0.0.1\",\"port\":%d}]}";
                int p = Backends.freePort();
                int q = Backends.freePort();
                int a = backends.http("a");
                int b = backends.http("b");
                String idA = lab.create("/api/v1/services", body.formatted("a", p, a));
                lab.create("/api/v1/services", body.formatted("b", q, b));
                envoy.await("both served", Duration.ofSeconds(15),
                        () -> Http1.get(p, null).ok("a") && Http1.get(q, null).ok("b"));
                TestPlane.Res put = lab.send("PUT", "/api/v1/services/" + idA, body.formatted("a", q, a));
                assertEquals(200, put.status(), put.text());
                envoy.await("a's host on port " + q + " to reach a's backend", Duration.ofSeconds(15),
                        () -> Http1.getHost(q, "a").ok("a"));
                assertEquals("b", Http1.getHost(q, "b").body());
                int r = Backends.freePort();
                int c = backends.http("c");
                lab.create("/api/v1/services", body.formatted("c", r, c));
                envoy.await("a listener created after the move to serve", Duration.ofSeconds(15),
                        () -> Http1.get(r, null).ok("c"));
            }
        }
    }
}
