package io.marchproxy.control.model;

import java.time.Instant;

/**
 * A group of proxies sharing one configuration. {@code apiKeyHash} is the SHA-256 of the cluster API key;
 * the key itself is shown once at creation and rotation and never stored.
 *
 * @param defaultPolicy what happens to a connection no mapping decides (see {@code config.AccessDecision});
 *                      a cluster stored before the field existed reads as {@link AccessAction#ALLOW}, which is how
 *                      such clusters behaved
 */
public record Cluster(String id, String name, String description, boolean active, boolean defaultCluster,
                      int maxProxies, @Nullable String syslogEndpoint, LoggingSwitches logging,
                      AccessAction defaultPolicy, String apiKeyHash,
                      long revision, Instant createdAt, Instant updatedAt) implements ClusterScoped {
    public Cluster {
        defaultPolicy = defaultPolicy == null ? AccessAction.ALLOW : defaultPolicy;
    }

    @Override
    public String clusterId() {
        return id;
    }

    public Cluster withApiKeyHash(String hash, long newRevision, Instant at) {
        return new Cluster(id, name, description, active, defaultCluster, maxProxies, syslogEndpoint, logging,
                defaultPolicy, hash, newRevision, createdAt, at);
    }

    public Cluster withDefaultCluster(boolean isDefault, long newRevision, Instant at) {
        return new Cluster(id, name, description, active, isDefault, maxProxies, syslogEndpoint, logging,
                defaultPolicy, apiKeyHash, newRevision, createdAt, at);
    }
}
