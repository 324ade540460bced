package io.marchproxy.control.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.UInt64Value;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.bandwidth_limit.v3.BandwidthLimit;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.marchproxy.control.config.ResolvedConfig;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The http/https services sharing one address and port as one listener (HTTP connection manager, routes by RDS) and
 * its route configuration: a virtual host per service, matched by service name or address. Per-service behaviour
 * that Envoy configures per filter is set on the service's routes: JWT requirement, mapping RBAC, bandwidth limit.
 */
final class HttpListeners {
    static final String JWT_FILTER = "envoy.filters.http.jwt_authn";
    static final String RBAC_FILTER = "envoy.filters.http.rbac";
    static final String BANDWIDTH_FILTER = "envoy.filters.http.bandwidth_limit";
    static final String ROUTER_FILTER = "envoy.filters.http.router";

    private HttpListeners() {
    }

    /** One listener and its routes. */
    record Built(Listener listener, RouteConfiguration routes) {
    }

    /**
     * @param mappingPolicies the mapping RBAC of each service a mapping names, by service id
     * @param tls             the downstream TLS transport socket of the listener, or null for plain HTTP
     */
    static Built build(String name, String bind, int port, List<ResolvedConfig.ServiceEntry> services,
                       Map<String, RBAC> mappingPolicies, TransportSocket tls) {
        boolean anyJwt = services.stream().anyMatch(s -> "jwt".equals(s.auth().type()));
        List<Optional<RBAC>> policies = services.stream()
                .map(s -> Optional.ofNullable(mappingPolicies.get(s.id()))).toList();
        boolean anyRbac = policies.stream().anyMatch(Optional::isPresent);
        boolean anyQos = services.stream().anyMatch(s -> bandwidth(s, name).isPresent());

        HttpConnectionManager.Builder hcm = HttpConnectionManager.newBuilder()
                .setStatPrefix(name)
                .setCodecType(HttpConnectionManager.CodecType.AUTO)
                .setRds(Rds.newBuilder().setConfigSource(XdsNames.ADS).setRouteConfigName(name));
        if (anyJwt) {
            hcm.addHttpFilters(filter(JWT_FILTER, jwtAuthentication(services)));
        }
        if (anyRbac) {
            // No rules at the listener: each route carries its own policy or none.
            hcm.addHttpFilters(filter(RBAC_FILTER,
                    io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.getDefaultInstance()));
        }
        if (anyQos) {
            hcm.addHttpFilters(filter(BANDWIDTH_FILTER, BandwidthLimit.newBuilder().setStatPrefix(name).build()));
        }
        hcm.addHttpFilters(filter(ROUTER_FILTER, Router.getDefaultInstance()));

        // Envoy picks the filter by its typed_config; the legacy name is the one java-control-plane's consistency
        // check follows from a listener to its route configuration.
        FilterChain.Builder chain = FilterChain.newBuilder().addFilters(Filter.newBuilder()
                .setName("envoy.http_connection_manager")
                .setTypedConfig(Any.pack(hcm.build())));
        if (tls != null) {
            chain.setTransportSocket(tls);
        }
        Listener listener = Listener.newBuilder()
                .setName(name)
                .setAddress(UpstreamClusters.address(bind, port, SocketAddress.Protocol.TCP))
                .addFilterChains(chain)
                .build();

        RouteConfiguration.Builder routes = RouteConfiguration.newBuilder().setName(name);
        Set<String> usedDomains = new HashSet<>();
        for (int i = 0; i < services.size(); i++) {
            ResolvedConfig.ServiceEntry s = services.get(i);
            Set<String> domains = new LinkedHashSet<>(List.of(s.name(), s.name() + ":" + s.port(), s.address(),
                    s.address() + ":" + s.port()));
            if (services.size() == 1) {
                domains.add("*");
            }
            domains.removeIf(d -> !usedDomains.add(d.toLowerCase(java.util.Locale.ROOT)));
            if (domains.isEmpty()) {
                continue;
            }
            VirtualHost.Builder vh = VirtualHost.newBuilder().setName(s.name()).addAllDomains(domains);
            for (Route.Builder r : routes(s)) {
                if (anyJwt) {
                    r.putTypedPerFilterConfig(JWT_FILTER, Any.pack("jwt".equals(s.auth().type())
                            ? PerRouteConfig.newBuilder().setRequirementName(s.id()).build()
                            : PerRouteConfig.newBuilder().setDisabled(true).build()));
                }
                if (anyRbac) {
                    RBACPerRoute.Builder per = RBACPerRoute.newBuilder();
                    policies.get(i).ifPresent(p -> per.setRbac(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC
                            .newBuilder().setRules(p)));
                    r.putTypedPerFilterConfig(RBAC_FILTER, Any.pack(per.build()));
                }
                bandwidth(s, name).ifPresent(b -> r.putTypedPerFilterConfig(BANDWIDTH_FILTER, Any.pack(b)));
                vh.addRoutes(r);
            }
            routes.addVirtualHosts(vh);
        }
        return new Built(listener, routes.build());
    }

    private static List<Route.Builder> routes(ResolvedConfig.ServiceEntry s) {
        RouteAction.Builder action = RouteAction.newBuilder().setCluster(XdsNames.cluster(s.id()));
        if ("ip_hash".equals(s.loadBalancing()) || "maglev".equals(s.loadBalancing())) {
            action.addHashPolicy(RouteAction.HashPolicy.newBuilder().setConnectionProperties(
                    RouteAction.HashPolicy.ConnectionProperties.newBuilder().setSourceIp(true)));
        }
        List<Route.Builder> out = new ArrayList<>();
        if ("base64".equals(s.auth().type()) && s.auth().token() != null) {
            // The static token may come as a bearer or basic credential; anything else gets a 401.
            for (String scheme : List.of("Bearer ", "Basic ")) {
                out.add(Route.newBuilder().setName(s.name() + "-" + scheme.strip().toLowerCase(java.util.Locale.ROOT))
                        .setMatch(RouteMatch.newBuilder().setPrefix("/").addHeaders(HeaderMatcher.newBuilder()
                                .setName("authorization")
                                .setStringMatch(StringMatcher.newBuilder().setExact(scheme + s.auth().token()))))
                        .setRoute(action));
            }
            out.add(Route.newBuilder().setName(s.name() + "-unauthorized")
                    .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                    .setDirectResponse(DirectResponseAction.newBuilder().setStatus(401)
                            .setBody(DataSource.newBuilder().setInlineString("missing or invalid token\n"))));
        } else {
            out.add(Route.newBuilder().setName(s.name())
                    .setMatch(RouteMatch.newBuilder().setPrefix("/")).setRoute(action));
        }
        return out;
    }

    private static JwtAuthentication jwtAuthentication(List<ResolvedConfig.ServiceEntry> services) {
        JwtAuthentication.Builder jwt = JwtAuthentication.newBuilder();
        for (ResolvedConfig.ServiceEntry s : services) {
            if (!"jwt".equals(s.auth().type()) || s.auth().jwtSecret() == null) {
                continue;
            }
            jwt.putProviders(s.id(), JwtProvider.newBuilder()
                    .setLocalJwks(DataSource.newBuilder().setInlineString(hmacJwks(s.auth().jwtSecret(),
                            s.auth().jwtAlgorithm() == null ? "HS256" : s.auth().jwtAlgorithm())))
                    .setRequireExpiration(true)
                    .build());
            jwt.putRequirementMap(s.id(), JwtRequirement.newBuilder().setProviderName(s.id()).build());
        }
        return jwt.build();
    }

    /** A JWKS holding the service's shared secret as a symmetric ({@code oct}) key. */
    static String hmacJwks(String secret, String algorithm) {
        String k = Base64.getUrlEncoder().withoutPadding().encodeToString(secret.getBytes(StandardCharsets.UTF_8));
        return "{\"keys\":[{\"kty\":\"oct\",\"alg\":\"" + algorithm + "\",\"k\":\"" + k + "\"}]}";
    }

    /**
     * Envoy's local bandwidth limit has one rate per route: ingress (client to service) limits requests, egress
     * limits responses, and when both are set the lower rate applies to both directions.
     */
    static Optional<BandwidthLimit> bandwidth(ResolvedConfig.ServiceEntry s, String statPrefix) {
        ResolvedConfig.Qos q = s.qos();
        if (q == null || (q.ingressMbps() <= 0 && q.egressMbps() <= 0)) {
            return Optional.empty();
        }
        BandwidthLimit.EnableMode mode;
        long mbps;
        if (q.ingressMbps() > 0 && q.egressMbps() > 0) {
            mode = BandwidthLimit.EnableMode.REQUEST_AND_RESPONSE;
            mbps = Math.min(q.ingressMbps(), q.egressMbps());
        } else if (q.ingressMbps() > 0) {
            mode = BandwidthLimit.EnableMode.REQUEST;
            mbps = q.ingressMbps();
        } else {
            mode = BandwidthLimit.EnableMode.RESPONSE;
            mbps = q.egressMbps();
        }
        return Optional.of(BandwidthLimit.newBuilder().setStatPrefix(statPrefix + "_" + s.name())
                .setEnableMode(mode).setLimitKbps(UInt64Value.of(mbps * 1000)).build());
    }

    static HttpFilter filter(String name, Message config) {
        return HttpFilter.newBuilder().setName(name).setTypedConfig(Any.pack(config)).build();
    }
}
