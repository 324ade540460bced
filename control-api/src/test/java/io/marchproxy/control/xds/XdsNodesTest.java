package io.marchproxy.control.xds;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.marchproxy.control.observe.Scrape;
import io.marchproxy.control.rest.TestPlane;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operations side over a real ADS stream (grpc-java, as an Envoy would speak it): a node appears in
 * {@code /api/v1/envoy/nodes} with the versions it ACKed, a NACK is listed with its error and counted in
 * {@code /observe/metrics}; and the bootstrap endpoint's access and input checks.
 */
@Timeout(60)
class XdsNodesTest {
    private static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";

    @Test
    void listsNodesWithAckedVersionsAndCountsNacks() throws Exception {
        try (XdsLab lab = new XdsLab()) {
            String clusterId = lab.cluster("ops");
            lab.create("/api/v1/services", "{\"name\":\"web\",\"clusterId\":\"" + clusterId + "\",\"address\":"
                    + "\"127.0.0.1\",\"port\":18080,\"protocol\":\"http\",\"backends\":[{\"address\":\"127.0.0.1\","
                    + "\"port\":18081}]}");
            lab.awaitSnapshot(clusterId, snap -> snap.clusters().resources().size() >= 1);
            Node node = Node.newBuilder().setId("ops-node-1").setCluster("ops")
                    .setMetadata(Struct.newBuilder().putFields(XdsNames.CLUSTER_METADATA_KEY,
                            Value.newBuilder().setStringValue(clusterId).build()))
                    .build();
            try (AdsClient ads = new AdsClient(lab.xds().port(), lab.apiKey(clusterId))) {
                ads.send(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(CDS).build());
                DiscoveryResponse first = ads.next(10);
                assertNotNull(first, "the server answers CDS for a known cluster");
                assertEquals(1, first.getResourcesCount());
                assertEquals(lab.xds().snapshot(clusterId).orElseThrow().clusters().version(), first.getVersionInfo());

                ads.send(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(CDS)
                        .setResponseNonce(first.getNonce())
                        .setErrorDetail(Status.newBuilder().setCode(3).setMessage("cluster svc_x: bad lb policy"))
                        .build());
                JsonNode nack = awaitNode(lab, "ops-node-1", n -> n.hasNonNull("lastNack"));
                assertEquals("cds", nack.get("lastNack").get("type").asText());
                assertEquals("cluster svc_x: bad lb policy", nack.get("lastNack").get("error").asText());
                assertEquals(clusterId, nack.get("group").asText());
                assertFalse(nack.get("healthy").asBoolean(), "a rejected update makes the node unhealthy");
                assertTrue(nack.get("problems").get(0).asText().startsWith("rejected cds version"), nack.toString());
                String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + lab.plane().port() + "/observe/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                Scrape scrape = Scrape.parse(metrics);
                assertEquals(1, scrape.value("marchproxy_xds_nacks_total{type=\"cds\"}"), metrics);
                assertEquals(1, scrape.value("marchproxy_xds_nodes"), metrics);
                assertEquals(1, scrape.value("marchproxy_xds_nodes_unhealthy"), metrics);

                ads.send(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(CDS)
                        .setVersionInfo(first.getVersionInfo()).setResponseNonce(first.getNonce()).build());
                JsonNode acked = awaitNode(lab, "ops-node-1", n -> n.path("acked").has("cds")
                        && n.get("healthy").asBoolean());
                assertEquals(first.getVersionInfo(), acked.get("acked").get("cds").asText());
            }
            awaitGone(lab, "ops-node-1");
        }
    }

    /**
     * Issue 9, item 8: a node waiting on the server is shown unhealthy once the stall bound passes: a route it asks
     * for that the server does not have, a listener it holds whose route it never received, a response it never
     * acknowledged; and healthy again once it catches up.
     */
    @Test
    void showsStalledNodesAsUnhealthyWithTheReason() throws Exception {
        try (XdsLab lab = new XdsLab(x -> x.withStallAfter(java.time.Duration.ofMillis(300)))) {
            String clusterId = lab.cluster("stall");
            lab.create("/api/v1/services", "{\"name\":\"web\",\"clusterId\":\"" + clusterId + "\",\"address\":"
                    + "\"127.0.0.1\",\"port\":18090,\"protocol\":\"http\",\"backends\":[{\"address\":\"127.0.0.1\","
                    + "\"port\":18091}]}");
            lab.awaitSnapshot(clusterId, snap -> snap.listeners().resources().size() >= 1);
            String lds = XdsType.LISTENER.typeUrl();
            String rds = XdsType.ROUTE.typeUrl();
            Node node = AdsClient.node("stalled", clusterId);
            try (AdsClient ads = new AdsClient(lab.xds().port(), lab.apiKey(clusterId))) {
                ads.send(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(lds).build());
                DiscoveryResponse listeners = ads.next(10);
                assertNotNull(listeners);
                JsonNode unacked = awaitNode(lab, "stalled", n -> !n.get("healthy").asBoolean());
                assertTrue(unacked.get("problems").toString().contains("lds version " + listeners.getVersionInfo()
                        + " not acknowledged"), unacked.toString());

                ads.send(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(lds)
                        .setVersionInfo(listeners.getVersionInfo()).setResponseNonce(listeners.getNonce()).build());
                String listener = XdsNames.listener("http", "127.0.0.1", 18090);
                JsonNode warming = awaitNode(lab, "stalled", n -> n.get("problems").toString().contains("waits for"));
                assertTrue(warming.get("problems").toString().contains("listener '" + listener
                        + "' waits for rds '" + listener + "'"), warming.toString());

                ads.send(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(rds).addResourceNames("no-such-route")
                        .build());
                JsonNode missing = awaitNode(lab, "stalled", n -> n.get("problems").toString().contains("asks for"));
                assertTrue(missing.get("problems").toString().contains("asks for rds 'no-such-route', which the "
                        + "server does not have"), missing.toString());
                String metrics = lab.send("GET", "/observe/metrics", null).text();
                assertEquals(1, Scrape.parse(metrics).value("marchproxy_xds_nodes_unhealthy"), metrics);

                ads.send(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(rds).addResourceNames(listener)
                        .build());
                DiscoveryResponse route = ads.next(10);
                assertNotNull(route, "the route is sent as soon as it is asked for");
                ads.send(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(rds).addResourceNames(listener)
                        .setVersionInfo(route.getVersionInfo()).setResponseNonce(route.getNonce()).build());
                JsonNode healthy = awaitNode(lab, "stalled", n -> n.get("healthy").asBoolean());
                assertEquals(0, healthy.get("problems").size());
            }
        }
    }

    @Test
    void bootstrapNeedsCredentialsAKnownClusterAndAValidNodeId() throws Exception {
        try (XdsLab lab = new XdsLab()) {
            String clusterId = lab.cluster("boot");
            TestPlane.Res ok = lab.send("GET", "/api/v1/envoy/bootstrap?cluster=boot&node=n-1&adminPort=9902", null);
            assertEquals(200, ok.status());
            String token = lab.xds().tokenFor(lab.xds().clusterByIdOrName("boot").orElseThrow()).orElseThrow();
            assertTrue(ok.text().contains("value: \"Bearer " + token + "\""), ok.text());
            assertTrue(ok.text().contains("port_value: " + lab.xds().port()), ok.text());
            assertTrue(ok.text().contains("marchproxy_cluster: \"" + clusterId + "\""), ok.text());
            assertTrue(ok.text().contains("id: \"n-1\""), ok.text());
            assertEquals(200, lab.send("GET", "/api/v1/envoy/bootstrap?cluster=" + clusterId, null).status());
            assertEquals(404, lab.send("GET", "/api/v1/envoy/bootstrap?cluster=nope", null).status());
            assertEquals(400, lab.send("GET", "/api/v1/envoy/bootstrap", null).status());
            assertEquals(400, lab.send("GET", "/api/v1/envoy/bootstrap?cluster=boot&node=bad%0Aid", null).status());
            assertEquals(400, lab.send("GET", "/api/v1/envoy/bootstrap?cluster=boot&adminPort=0", null).status());
            int anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + lab.plane().port() + "/api/v1/envoy/bootstrap?cluster=boot")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode();
            assertEquals(401, anonymous);
            lab.create("/api/v1/users", "{\"username\":\"watcher\",\"password\":\"watcher-password-1234\","
                    + "\"role\":\"viewer\"}");
            String viewer = lab.login("watcher", "watcher-password-1234");
            assertEquals(403, lab.sendAs(viewer, "GET", "/api/v1/envoy/bootstrap?cluster=boot", null).status(),
                    "a bootstrap carries a credential: viewers may not have one");
            assertEquals(200, lab.sendAs(viewer, "GET", "/api/v1/envoy/nodes", null).status());
        }
    }

    private static JsonNode awaitNode(XdsLab lab, String id, java.util.function.Predicate<JsonNode> condition)
            throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            for (JsonNode n : lab.send("GET", "/api/v1/envoy/nodes", null).json().get("nodes")) {
                if (n.get("nodeId").asText().equals(id) && condition.test(n)) {
                    return n;
                }
            }
            Thread.sleep(25);
        }
        throw new AssertionError("node " + id + " never matched: " + lab.send("GET", "/api/v1/envoy/nodes", null));
    }

    private static void awaitGone(XdsLab lab, String id) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            if (lab.xds().nodes().stream().noneMatch(n -> n.nodeId().equals(id))) {
                return;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("node " + id + " still listed after its stream closed");
    }
}
