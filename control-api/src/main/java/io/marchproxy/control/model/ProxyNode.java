package io.marchproxy.control.model;

import java.time.Instant;
import java.util.List;

/**
 * A registered proxy. The stored record holds what registration said; liveness (last heartbeat, metrics,
 * last config version fetched) is kept in memory by the proxy registry and merged in when read.
 */
public record ProxyNode(String id, String name, String hostname, String address, String clusterId,
                        ProxyStatus status, String version, List<String> capabilities, Instant lastSeen,
                        long lastConfigVersion, long revision, Instant createdAt, Instant updatedAt)
        implements ClusterScoped {
    public ProxyNode {
        capabilities = List.copyOf(capabilities);
    }

    public ProxyNode withLiveness(ProxyStatus newStatus, Instant seen, long configVersion) {
        return new ProxyNode(id, name, hostname, address, clusterId, newStatus, version, capabilities, seen,
                configVersion, revision, createdAt, updatedAt);
    }
}
