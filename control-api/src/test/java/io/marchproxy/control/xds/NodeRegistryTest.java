package io.marchproxy.control.xds;

import com.google.rpc.Status;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stream requests as Envoy sends them: the first names the node, later ones ACK or NACK by nonce. */
class NodeRegistryTest {
    private static final String CDS = Resources.V3.CLUSTER_TYPE_URL;
    private static final String LDS = Resources.V3.LISTENER_TYPE_URL;

    private final NodeRegistry registry = new NodeRegistry(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC),
            node -> "group-of-" + node.getCluster());

    private static DiscoveryRequest.Builder request(String typeUrl) {
        return DiscoveryRequest.newBuilder().setTypeUrl(typeUrl);
    }

    @Test
    void firstRequestNamesTheNodeThenAcksAndNacksAreRecordedPerType() {
        registry.onV3StreamRequest(1, request(CDS)
                .setNode(Node.newBuilder().setId("envoy-1").setCluster("edge")).build());
        registry.onV3StreamRequest(2, request(LDS)
                .setNode(Node.newBuilder().setId("envoy-1").setCluster("edge")).build());
        registry.onV3StreamRequest(1, request(CDS).setVersionInfo("v1").setResponseNonce("n1").build());
        registry.onV3StreamRequest(2, request(LDS).setVersionInfo("v0").setResponseNonce("n2")
                .setErrorDetail(Status.newBuilder().setMessage("bad listener")).build());

        EnvoyNode n = registry.nodes().get(0);
        assertEquals("envoy-1", n.nodeId());
        assertEquals("edge", n.cluster());
        assertEquals("group-of-edge", n.group());
        assertEquals(2, n.streams());
        assertEquals(Map.of("cds", "v1"), n.acked());
        assertEquals(new EnvoyNode.Nack("lds", "v0", "bad listener", Instant.EPOCH), n.lastNack());
        assertEquals(1, registry.acks());
        assertEquals(Map.of("lds", 1L), registry.nacks());

        registry.onStreamClose(1, CDS);
        assertEquals(1, registry.nodes().get(0).streams());
        registry.onStreamClose(2, LDS);
        assertTrue(registry.nodes().isEmpty(), "a node goes with its last stream");
        registry.onV3StreamRequest(2, request(LDS).setResponseNonce("n3").build());
        assertTrue(registry.nodes().isEmpty(), "a request on a closed stream does not bring the node back");
    }

    @Test
    void typeUrlsAreNamedByTheirXdsServiceThroughTheLibrarysMap() {
        assertEquals("cds", NodeRegistry.shortType(Resources.V3.CLUSTER_TYPE_URL));
        assertEquals("eds", NodeRegistry.shortType(Resources.V3.ENDPOINT_TYPE_URL));
        assertEquals("lds", NodeRegistry.shortType(Resources.V3.LISTENER_TYPE_URL));
        assertEquals("rds", NodeRegistry.shortType(Resources.V3.ROUTE_TYPE_URL));
        assertEquals("sds", NodeRegistry.shortType(Resources.V3.SECRET_TYPE_URL));
        assertEquals("type.example/Unknown", NodeRegistry.shortType("type.example/Unknown"));
        for (Resources.ResourceType t : Resources.ResourceType.values()) {
            assertTrue(Resources.TYPE_URLS_TO_RESOURCE_TYPE.containsValue(t));
        }
        assertNull(Resources.TYPE_URLS_TO_RESOURCE_TYPE.get("type.example/Unknown"));
    }
}
