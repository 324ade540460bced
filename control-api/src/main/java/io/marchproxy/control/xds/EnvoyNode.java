package io.marchproxy.control.xds;

import io.marchproxy.control.model.Nullable;

import java.time.Instant;
import java.util.Map;

/**
 * What the xDS server knows of one connected (or recently connected) Envoy: its node id, the MarchProxy cluster it
 * was grouped into, how many xDS streams it holds, the last version it ACKed per resource type and its last NACK.
 *
 * @param acked   resource type (cds, eds, lds, rds, sds) to the last version the node accepted
 * @param lastNack the last rejected update, or null if it never rejected one
 */
public record EnvoyNode(String nodeId, String cluster, String group, int streams, Instant connectedAt,
                        Instant lastRequestAt, Map<String, String> acked, @Nullable Nack lastNack) {
    public EnvoyNode {
        acked = Map.copyOf(acked);
    }

    /** A rejected update: which type and version, Envoy's error detail, and when. */
    public record Nack(String type, String version, String error, Instant at) {
    }
}
