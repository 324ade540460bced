package io.marchproxy.control.model;

import java.time.Instant;

/**
 * A group of proxies sharing one configuration. {@code apiKeyHash} is the SHA-256 of the cluster API key;
 * the key itself is shown once at creation and rotation and never stored.
 */
public record Cluster(String id, String name, String description, boolean active, boolean defaultCluster,
                      int maxProxies, @Nullable String syslogEndpoint, LoggingSwitches logging, String apiKeyHash,
                      long revision, Instant createdAt, Instant updatedAt) implements ClusterScoped {
    @Override
    public String clusterId() {
        return id;
    }

    public Cluster withApiKeyHash(String hash, long newRevision, Instant at) {
        return new Cluster(id, name, description, active, defaultCluster, maxProxies, syslogEndpoint, logging,
                hash, newRevision, createdAt, at);
    }
}
