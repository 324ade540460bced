package io.marchproxy.control.model;

import java.time.Instant;
import java.util.List;

/**
 * Which source services may reach which destination services. Each source or destination is a service id,
 * {@code all}, or {@code collection:<name>}; {@code ports} is a single port, a range {@code 8000-8100} or a list.
 */
public record Mapping(String id, String name, String clusterId, List<String> sources, List<String> destinations,
                      List<String> protocols, String ports, boolean authRequired, int priority, String comments,
                      boolean active, long revision, Instant createdAt, Instant updatedAt) implements ClusterScoped {
    public Mapping {
        sources = List.copyOf(sources);
        destinations = List.copyOf(destinations);
        protocols = List.copyOf(protocols);
    }
}
