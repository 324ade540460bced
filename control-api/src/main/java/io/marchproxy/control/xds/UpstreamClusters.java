package io.marchproxy.control.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthCheck;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.marchproxy.control.config.ResolvedConfig;
import io.marchproxy.control.model.Backend;

/**
 * A service's backends as an EDS cluster and its load assignment. Disabled backends are left out of the assignment
 * (an unhealthy host would still get traffic in Envoy's panic mode); weights become load-balancing weights, which
 * every Envoy policy honours. EDS carries IP addresses only, so a service with a backend named by DNS gets a
 * STRICT_DNS cluster with its assignment inline instead, resolved with the configured address family (Envoy's own
 * default, AUTO, prefers IPv6 and so turns {@code localhost} into {@code [::1]} alone).
 */
final class UpstreamClusters {
    private static final Duration CONNECT_TIMEOUT = Duration.newBuilder().setSeconds(2).build();

    private UpstreamClusters() {
    }

    /** Envoy's policy for a MarchProxy algorithm; {@code ip_hash} hashes the client address on a ring. */
    static Cluster.LbPolicy lbPolicy(String algorithm) {
        return switch (algorithm) {
            case "least_connections" -> Cluster.LbPolicy.LEAST_REQUEST;
            case "ip_hash" -> Cluster.LbPolicy.RING_HASH;
            case "maglev" -> Cluster.LbPolicy.MAGLEV;
            default -> Cluster.LbPolicy.ROUND_ROBIN;
        };
    }

    /**
     * @param upstreamTrust name of the SDS validation secret when backends are reached over verified TLS, else null
     * @param dnsFamily     the address family a STRICT_DNS cluster resolves backend names to
     */
    static Cluster cluster(ResolvedConfig.ServiceEntry s, String upstreamTrust, Cluster.DnsLookupFamily dnsFamily) {
        String name = XdsNames.cluster(s.id());
        Cluster.Builder c = Cluster.newBuilder()
                .setName(name)
                .setConnectTimeout(CONNECT_TIMEOUT)
                .setLbPolicy(lbPolicy(s.loadBalancing()));
        if (usesEds(s)) {
            c.setType(Cluster.DiscoveryType.EDS).setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder()
                    .setEdsConfig(XdsNames.ADS).setServiceName(name));
        } else {
            c.setType(Cluster.DiscoveryType.STRICT_DNS).setDnsLookupFamily(dnsFamily)
                    .setLoadAssignment(loadAssignment(s));
        }
        if (s.healthCheck() != null) {
            c.addHealthChecks(healthCheck(s));
        }
        if (upstreamTrust != null) {
            UpstreamTlsContext.Builder tls = UpstreamTlsContext.newBuilder()
                    .setCommonTlsContext(CommonTlsContext.newBuilder()
                            .setValidationContextSdsSecretConfig(SdsSecretConfig.newBuilder()
                                    .setName(upstreamTrust).setSdsConfig(XdsNames.ADS)));
            if (!XdsNames.isIpLiteral(s.address())) {
                tls.setSni(s.address());
            }
            c.setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls")
                    .setTypedConfig(Any.pack(tls.build())));
        }
        return c.build();
    }

    /** False when a backend is named by DNS, which EDS cannot carry. */
    static boolean usesEds(ResolvedConfig.ServiceEntry s) {
        return s.backends().stream().filter(Backend::enabled).allMatch(b -> XdsNames.isIpLiteral(b.address()));
    }

    private static HealthCheck healthCheck(ResolvedConfig.ServiceEntry s) {
        int interval = s.healthCheck().intervalSeconds();
        HealthCheck.Builder h = HealthCheck.newBuilder()
                .setInterval(Duration.newBuilder().setSeconds(interval))
                .setTimeout(Duration.newBuilder().setSeconds(Math.min(interval, 5)))
                .setUnhealthyThreshold(UInt32Value.of(2))
                .setHealthyThreshold(UInt32Value.of(1));
        if (s.protocol().startsWith("http")) {
            h.setHttpHealthCheck(HealthCheck.HttpHealthCheck.newBuilder().setPath(s.healthCheck().path()));
        } else {
            h.setTcpHealthCheck(HealthCheck.TcpHealthCheck.getDefaultInstance());
        }
        return h.build();
    }

    static ClusterLoadAssignment loadAssignment(ResolvedConfig.ServiceEntry s) {
        // gRPC's xDS client ignores localities without a weight; Envoy ignores the weight unless told otherwise.
        LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder()
                .setLoadBalancingWeight(UInt32Value.of(1));
        for (Backend b : s.backends()) {
            if (!b.enabled()) {
                continue;
            }
            locality.addLbEndpoints(LbEndpoint.newBuilder()
                    .setEndpoint(Endpoint.newBuilder().setAddress(address(b.address(), b.port(),
                            SocketAddress.Protocol.TCP)))
                    .setHealthStatus(HealthStatus.HEALTHY)
                    .setLoadBalancingWeight(UInt32Value.of(b.weight())));
        }
        ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder()
                .setClusterName(XdsNames.cluster(s.id()));
        if (locality.getLbEndpointsCount() > 0) {
            cla.addEndpoints(locality);
        }
        return cla.build();
    }

    static Address address(String host, int port, SocketAddress.Protocol protocol) {
        return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder()
                .setAddress(host).setPortValue(port).setProtocol(protocol)).build();
    }
}
