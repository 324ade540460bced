package io.marchproxy.control.xds;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.marchproxy.control.rest.TestPlane;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
            // Snapshots follow config changes asynchronously: ask only once the service's cluster is in one.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (lab.xds().snapshot(clusterId).map(s -> s.clusters().resources().size()).orElse(0) < 1
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(lab.xds().snapshot(clusterId).map(s -> s.clusters().resources().size()).orElse(0) >= 1,
                    "the service's cluster never reached the snapshot of cluster " + clusterId);
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", lab.xds().port()).usePlaintext()
                    .build();
            LinkedBlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
            StreamObserver<DiscoveryRequest> stream = AggregatedDiscoveryServiceGrpc.newStub(channel)
                    .streamAggregatedResources(new StreamObserver<>() {
                        @Override
                        public void onNext(DiscoveryResponse r) {
                            responses.add(r);
                        }

                        @Override
                        public void onError(Throwable t) {
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
            try {
                Node node = Node.newBuilder().setId("ops-node-1").setCluster("ops")
                        .setMetadata(Struct.newBuilder().putFields(XdsNames.CLUSTER_METADATA_KEY,
                                Value.newBuilder().setStringValue(clusterId).build()))
                        .build();
                stream.onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(CDS).build());
                DiscoveryResponse first = responses.poll(10, TimeUnit.SECONDS);
                assertNotNull(first, "the server answers CDS for a known cluster");
                assertEquals(1, first.getResourcesCount());
                assertEquals(lab.xds().snapshot(clusterId).orElseThrow().clusters().version(), first.getVersionInfo());

                stream.onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(CDS)
                        .setResponseNonce(first.getNonce())
                        .setErrorDetail(Status.newBuilder().setCode(3).setMessage("cluster svc_x: bad lb policy"))
                        .build());
                JsonNode nack = awaitNode(lab, "ops-node-1", n -> n.hasNonNull("lastNack"));
                assertEquals("cds", nack.get("lastNack").get("type").asText());
                assertEquals("cluster svc_x: bad lb policy", nack.get("lastNack").get("error").asText());
                assertEquals(clusterId, nack.get("group").asText());
                String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + lab.plane().port() + "/observe/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(metrics.contains("marchproxy_xds_nacks_total{type=\"cds\"} 1"), metrics);
                assertTrue(metrics.contains("\nmarchproxy_xds_nodes 1\n"), metrics);

                stream.onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(CDS)
                        .setVersionInfo(first.getVersionInfo()).setResponseNonce(first.getNonce()).build());
                JsonNode acked = awaitNode(lab, "ops-node-1", n -> n.path("acked").has("cds"));
                assertEquals(first.getVersionInfo(), acked.get("acked").get("cds").asText());
            } finally {
                stream.onCompleted();
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            awaitGone(lab, "ops-node-1");
        }
    }

    @Test
    void bootstrapNeedsCredentialsAKnownClusterAndAValidNodeId() throws Exception {
        try (XdsLab lab = new XdsLab()) {
            String clusterId = lab.cluster("boot");
            TestPlane.Res ok = lab.send("GET", "/api/v1/envoy/bootstrap?cluster=boot&node=n-1&adminPort=9902", null);
            assertEquals(200, ok.status());
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
