package io.marchproxy.control.xds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.marchproxy.control.config.ResolvedConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * The resources proxyless gRPC clients (grpc-xds) resolve services with: per http/https service an API listener
 * named after the service ({@code xds:///NAME}), its route configuration and the service's EDS cluster. Proxyless
 * clients enforce none of Envoy's per-route filters, so auth, RBAC and rate limits are not offered to them; their
 * snapshot is a separate group ({@code grpc:<clusterId>}) so Envoys never see API listeners.
 */
final class ProxylessResources {
    /** Node metadata value of {@link #CLIENT_METADATA_KEY} marking a proxyless gRPC client. */
    static final String GRPC_CLIENT = "grpc";
    static final String CLIENT_METADATA_KEY = "marchproxy_client";
    static final String GROUP_PREFIX = "grpc:";

    private ProxylessResources() {
    }

    static EnvoyResources translate(ResolvedConfig config) {
        if (!config.settings().active()) {
            return EnvoyResources.EMPTY;
        }
        List<Cluster> clusters = new ArrayList<>();
        List<ClusterLoadAssignment> endpoints = new ArrayList<>();
        List<Listener> listeners = new ArrayList<>();
        List<RouteConfiguration> routes = new ArrayList<>();
        for (ResolvedConfig.ServiceEntry s : config.services()) {
            if (!s.protocol().startsWith("http") || !UpstreamClusters.usesEds(s)) {
                continue;
            }
            String routeName = "grpc_" + s.name();
            // EDS only (see above): no name to resolve, so the DNS family does not matter.
            clusters.add(UpstreamClusters.cluster(s, null, Cluster.DnsLookupFamily.V4_PREFERRED));
            endpoints.add(UpstreamClusters.loadAssignment(s));
            HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
                    .setStatPrefix(routeName)
                    .setRds(Rds.newBuilder().setConfigSource(XdsNames.ADS).setRouteConfigName(routeName))
                    .addHttpFilters(HttpListeners.filter(HttpListeners.ROUTER_FILTER, Router.getDefaultInstance()))
                    .build();
            listeners.add(Listener.newBuilder().setName(s.name())
                    .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm))).build());
            routes.add(RouteConfiguration.newBuilder().setName(routeName)
                    .addVirtualHosts(VirtualHost.newBuilder().setName(s.name())
                            .addDomains(s.name()).addDomains(s.name() + ":" + s.port())
                            .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
                                    .setRoute(RouteAction.newBuilder().setCluster(XdsNames.cluster(s.id())))))
                    .build());
        }
        return new EnvoyResources(clusters, endpoints, listeners, routes, List.of(), List.of());
    }
}
