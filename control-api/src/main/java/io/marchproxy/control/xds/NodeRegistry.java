package io.marchproxy.control.xds;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;

import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
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
 * on gRPC threads; each request replaces its node's record once, atomically.
 */
final class NodeRegistry implements DiscoveryServerCallbacks {
    private static final Logger LOG = Logger.getLogger(NodeRegistry.class.getName());
    /** The xDS service each resource type is served by, as Envoy's docs and logs name it. */
    private static final Map<Resources.ResourceType, String> SHORT_NAMES = new EnumMap<>(Map.of(
            Resources.ResourceType.CLUSTER, "cds", Resources.ResourceType.ENDPOINT, "eds",
            Resources.ResourceType.LISTENER, "lds", Resources.ResourceType.ROUTE, "rds",
            Resources.ResourceType.SECRET, "sds"));

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
        String nodeId = request.hasNode() ? request.getNode().getId() : nodeOfStream.get(streamId);
        if (nodeId == null) {
            return;
        }
        Instant now = clock.instant();
        // Only a stream's first request must carry the node; that one names its cluster and decides its group.
        boolean newStream = nodeOfStream.putIfAbsent(streamId, nodeId) == null;
        String cluster = newStream ? request.getNode().getCluster() : null;
        String group = newStream ? grouping.apply(request.getNode()) : null;
        String type = shortType(request.getTypeUrl());
        boolean accepted = !request.hasErrorDetail() && !request.getResponseNonce().isEmpty();
        EnvoyNode.Nack nack = request.hasErrorDetail() ? new EnvoyNode.Nack(type, request.getVersionInfo(),
                request.getErrorDetail().getMessage(), now) : null;
        if (nack != null) {
            nacksByType.computeIfAbsent(type, t -> new AtomicLong()).incrementAndGet();
            LOG.warning(() -> "Envoy " + nodeId + " rejected " + type + " (nonce " + request.getResponseNonce()
                    + ", keeps version '" + nack.version() + "'): " + nack.error());
        } else if (accepted) {
            acks.incrementAndGet();
        }
        nodes.compute(nodeId, (id, n) -> {
            if (n == null && !newStream) {
                return null; // its last stream closed meanwhile: the node is gone
            }
            Map<String, String> ackedVersions = n == null ? Map.of() : n.acked();
            if (accepted) {
                ackedVersions = new TreeMap<>(ackedVersions);
                ackedVersions.put(type, request.getVersionInfo());
            }
            return new EnvoyNode(id, newStream ? cluster : n.cluster(), newStream ? group : n.group(),
                    (n == null ? 0 : n.streams()) + (newStream ? 1 : 0), n == null ? now : n.connectedAt(), now,
                    ackedVersions, nack != null ? nack : n == null ? null : n.lastNack());
        });
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

    /**
     * {@code type.googleapis.com/envoy.config.cluster.v3.Cluster} -> {@code cds}, and so on, through
     * java-control-plane's own type-URL map; a type it does not know is left as its URL.
     */
    static String shortType(String typeUrl) {
        Resources.ResourceType type = Resources.TYPE_URLS_TO_RESOURCE_TYPE.get(typeUrl);
        return type == null ? typeUrl : SHORT_NAMES.get(type);
    }
}
