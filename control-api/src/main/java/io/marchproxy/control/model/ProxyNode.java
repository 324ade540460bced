package io.marchproxy.control.model;

import java.time.Instant;
import java.util.List;

/**
 * A registered proxy. The stored record holds what registration said; liveness (last heartbeat, metrics, last config
 * version fetched) is kept in memory by the proxy registry and merged in when read. Its {@link ProxyStatus} is not
 * stored at all: it is derived from when the proxy was last seen, whenever it is read.
 */
public record ProxyNode(String id, String name, String hostname, String address, String clusterId, String version,
                        List<String> capabilities, Instant lastSeen, long lastConfigVersion, long revision,
                        Instant createdAt, Instant updatedAt)
        implements ClusterScoped {
    public ProxyNode {
        capabilities = List.copyOf(capabilities);
    }

    public ProxyNode withLiveness(Instant seen, long configVersion) {
        return new ProxyNode(id, name, hostname, address, clusterId, version, capabilities, seen, configVersion,
                revision, createdAt, updatedAt);
    }
}
