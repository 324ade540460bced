package io.marchproxy.control.xds;

import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;

import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Follows every xDS stream to learn which Envoys are connected and what they accepted: a request with a nonce and no
 * error is an ACK of its version, one with error detail is a NACK, counted and logged with Envoy's message. Called
 * on gRPC threads; each node's record is replaced atomically.
 */
final class NodeRegistry implements DiscoveryServerCallbacks {
    private static final Logger LOG = Logger.getLogger(NodeRegistry.class.getName());

    private final Clock clock;
    private final Function<Node, String> grouping;
    private final Map<Long, String> nodeOfStream = new ConcurrentHashMap<>();
    private final Map<String, EnvoyNode> nodes = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> nacksByType = new ConcurrentHashMap<>();
    private final AtomicLong acks = new AtomicLong();

    NodeRegistry(Clock clock, Function<Node, String> grouping) {
        this.clock = clock;
        this.grouping = grouping;
    }

    @Override
    public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
        Instant now = clock.instant();
        String nodeId = request.hasNode() ? request.getNode().getId() : nodeOfStream.get(streamId);
        if (nodeId == null) {
            return;
        }
        if (nodeOfStream.putIfAbsent(streamId, nodeId) == null) {
            String cluster = request.getNode().getCluster();
            String group = grouping.apply(request.getNode());
            nodes.compute(nodeId, (id, n) -> n == null
                    ? new EnvoyNode(id, cluster, group, 1, now, now, Map.of(), null)
                    : new EnvoyNode(id, cluster, group, n.streams() + 1, n.connectedAt(), now, n.acked(),
                    n.lastNack()));
        }
        String type = shortType(request.getTypeUrl());
        if (request.hasErrorDetail()) {
            String error = request.getErrorDetail().getMessage();
            nacksByType.computeIfAbsent(type, t -> new AtomicLong()).incrementAndGet();
            LOG.warning(() -> "Envoy " + nodeId + " rejected " + type + " (nonce " + request.getResponseNonce()
                    + ", keeps version '" + request.getVersionInfo() + "'): " + error);
            nodes.computeIfPresent(nodeId, (id, n) -> new EnvoyNode(id, n.cluster(), n.group(), n.streams(),
                    n.connectedAt(), now, n.acked(), new EnvoyNode.Nack(type, request.getVersionInfo(), error, now)));
        } else if (!request.getResponseNonce().isEmpty()) {
            acks.incrementAndGet();
            nodes.computeIfPresent(nodeId, (id, n) -> {
                Map<String, String> acked = new TreeMap<>(n.acked());
                acked.put(type, request.getVersionInfo());
                return new EnvoyNode(id, n.cluster(), n.group(), n.streams(), n.connectedAt(), now, acked,
                        n.lastNack());
            });
        } else {
            nodes.computeIfPresent(nodeId, (id, n) -> new EnvoyNode(id, n.cluster(), n.group(), n.streams(),
                    n.connectedAt(), now, n.acked(), n.lastNack()));
        }
    }

    @Override
    public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
        // Delta xDS is served by java-control-plane but not tracked: our bootstraps use state-of-the-world ADS.
    }

    @Override
    public void onStreamClose(long streamId, String typeUrl) {
        closed(streamId);
    }

    @Override
    public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
        closed(streamId);
    }

    /** A node disappears from the list when its last stream closes. */
    private void closed(long streamId) {
        String nodeId = nodeOfStream.remove(streamId);
        if (nodeId != null) {
            nodes.computeIfPresent(nodeId, (id, n) -> n.streams() <= 1 ? null
                    : new EnvoyNode(id, n.cluster(), n.group(), n.streams() - 1, n.connectedAt(), n.lastRequestAt(),
                    n.acked(), n.lastNack()));
        }
    }

    /** Connected nodes by id. */
    List<EnvoyNode> nodes() {
        return nodes.values().stream().sorted(Comparator.comparing(EnvoyNode::nodeId)).toList();
    }

    /** NACKs since start by resource type. */
    Map<String, Long> nacks() {
        Map<String, Long> out = new TreeMap<>();
        nacksByType.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    long acks() {
        return acks.get();
    }

    /** {@code type.googleapis.com/envoy.config.cluster.v3.Cluster} -> {@code cds}, and so on. */
    static String shortType(String typeUrl) {
        if (typeUrl.endsWith(".Cluster")) {
            return "cds";
        } else if (typeUrl.endsWith(".ClusterLoadAssignment")) {
            return "eds";
        } else if (typeUrl.endsWith(".Listener")) {
            return "lds";
        } else if (typeUrl.endsWith(".RouteConfiguration")) {
            return "rds";
        } else if (typeUrl.endsWith(".Secret")) {
            return "sds";
        }
        return typeUrl;
    }
}
