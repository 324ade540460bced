package io.marchproxy.control.xds;

import io.marchproxy.control.model.Nullable;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the xDS server knows of one connected node (an Envoy or a proxyless gRPC client) of an authenticated cluster:
 * its id, cluster and group, how many streams it holds, the version it holds per resource type (ACKed, or resumed
 * with on a new stream after a reconnect or a control-plane restart), its last NACK, and whether it is healthy.
 *
 * @param acked    resource type (cds, eds, lds, rds, sds) to the version the node holds
 * @param resumed  the types whose held version the node reported on connecting, not yet confirmed by an ACK
 * @param lastNack the last rejected update, or null if it never rejected one
 * @param healthy  false when {@code problems} is not empty
 * @param problems why the node is unhealthy: a rejected update, a response not acknowledged, a resource it asks for
 *                 that the server does not have, or a listener or cluster still waiting for what it references, each
 *                 past the configured bound ({@code marchproxy.xds.stallafter}) except rejections, shown at once
 */
public record EnvoyNode(String nodeId, String cluster, String group, int streams, Instant connectedAt,
                        Instant lastRequestAt, Map<String, String> acked, List<String> resumed,
                        @Nullable Nack lastNack, boolean healthy, List<String> problems) {
    public EnvoyNode {
        acked = Map.copyOf(acked);
        resumed = List.copyOf(resumed);
        problems = List.copyOf(problems);
    }

    /** A rejected update: which type and version, Envoy's error detail, and when. */
    public record Nack(String type, String version, String error, Instant at) {
    }
}
