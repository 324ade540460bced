package io.marchproxy.control.model;

import java.time.Instant;

/** Traffic shaping for one service; {@code clusterId} is copied from the service so changes route per cluster. */
public record QosPolicy(String id, String serviceId, String clusterId, int ingressMbps, int egressMbps, int burstKb,
                        String priority, int weight, int maxLatencyMs, int dscp,
                        long revision, Instant createdAt, Instant updatedAt) implements ClusterScoped {
}
