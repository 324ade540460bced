package io.marchproxy.control.model;

import java.time.Instant;
import java.util.List;

/** A proxied service: where clients reach it, the backends behind it and how traffic to it is handled. */
public record Service(String id, String name, String clusterId, String address, int port, String protocol,
                      String collection, List<Backend> backends, String loadBalancing, ServiceAuth auth,
                      TlsSettings tls, @Nullable HealthCheck healthCheck, boolean active,
                      long revision, Instant createdAt, Instant updatedAt) implements ClusterScoped {
    public Service {
        backends = List.copyOf(backends);
    }
}
