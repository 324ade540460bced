package io.marchproxy.control.config;

import java.time.Instant;
import java.util.Set;

/**
 * A new global config version: which clusters' resolved config may differ from the previous version, who made the
 * change and what it was ({@code service.update}, {@code config.rollback}, ...).
 */
public record ConfigChange(long version, Instant at, Set<String> clusterIds, String actor, String action) {
    public ConfigChange {
        clusterIds = Set.copyOf(clusterIds);
    }

    public boolean affects(String clusterId) {
        return clusterIds.contains(clusterId);
    }
}
