package io.marchproxy.control.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;

import java.util.List;

/**
 * The Envoy v3 resources of one MarchProxy cluster, and the services that could not be expressed (with why), such as
 * a TLS service without a certificate or a port range too wide for one listener per port. Everything a listener
 * references is in the lists: the snapshot is consistent by construction.
 */
public record EnvoyResources(List<Cluster> clusters, List<ClusterLoadAssignment> endpoints, List<Listener> listeners,
                             List<RouteConfiguration> routes, List<Secret> secrets, List<LeftOut> leftOut) {
    public EnvoyResources {
        clusters = List.copyOf(clusters);
        endpoints = List.copyOf(endpoints);
        listeners = List.copyOf(listeners);
        routes = List.copyOf(routes);
        secrets = List.copyOf(secrets);
        leftOut = List.copyOf(leftOut);
    }

    public static final EnvoyResources EMPTY = new EnvoyResources(List.of(), List.of(), List.of(), List.of(),
            List.of(), List.of());
}
