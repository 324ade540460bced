package io.marchproxy.control.model;

import java.time.Instant;
import java.util.List;

/**
 * Which sources may (or may not) reach which destination services. A destination is a service id, {@code all}, or
 * {@code collection:<name>}; a source is one of those or an IPv4/IPv6 prefix in canonical {@link Cidr} form.
 * {@code ports} is a single port, a range {@code 8000-8100} or a list. Mappings are applied in {@code priority} order
 * (lower first, then id), the first whose sources contain a client deciding with its {@code action}.
 *
 * @param action allow or deny; a mapping stored before the field existed reads as {@link AccessAction#ALLOW}
 */
public record Mapping(String id, String name, String clusterId, List<String> sources, List<String> destinations,
                      List<String> protocols, String ports, AccessAction action, boolean authRequired, int priority,
                      String comments, boolean active, long revision, Instant createdAt, Instant updatedAt)
        implements ClusterScoped {
    public Mapping {
        sources = List.copyOf(sources);
        destinations = List.copyOf(destinations);
        protocols = List.copyOf(protocols);
        action = action == null ? AccessAction.ALLOW : action;
    }
}
