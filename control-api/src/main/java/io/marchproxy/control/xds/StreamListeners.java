package io.marchproxy.control.xds;

import com.github.xds.core.v3.TypedExtensionConfig;
import com.github.xds.type.matcher.v3.Matcher;
import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.listener.v3.UdpListenerConfig;
import io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.Route;
import io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.UdpProxyConfig;
import io.envoyproxy.envoy.type.v3.HashPolicy;
import io.marchproxy.control.config.ResolvedConfig;

/**
 * A tcp service as a listener with tcp_proxy (behind the mapping RBAC when mappings restrict it, and TLS termination
 * when the service has TLS), and a udp service as a UDP listener with udp_proxy. One service per listener, and one
 * listener per port of a service's port range.
 */
final class StreamListeners {
    private StreamListeners() {
    }

    /**
     * @param mappingPolicy the mapping RBAC of the service on this port, or null when every client is allowed
     * @param tls           the downstream TLS transport socket, or null
     */
    static Listener tcp(String name, String bind, int port, ResolvedConfig.ServiceEntry s,
                        io.envoyproxy.envoy.config.rbac.v3.RBAC mappingPolicy, TransportSocket tls) {
        FilterChain.Builder chain = FilterChain.newBuilder();
        java.util.Optional.ofNullable(mappingPolicy).ifPresent(rules -> chain.addFilters(Filter.newBuilder()
                .setName("envoy.filters.network.rbac")
                .setTypedConfig(Any.pack(RBAC.newBuilder().setStatPrefix(name).setRules(rules).build()))));
        TcpProxy.Builder proxy = TcpProxy.newBuilder().setStatPrefix(name).setCluster(XdsNames.cluster(s.id()));
        if ("ip_hash".equals(s.loadBalancing()) || "maglev".equals(s.loadBalancing())) {
            proxy.addHashPolicy(HashPolicy.newBuilder().setSourceIp(HashPolicy.SourceIp.getDefaultInstance()));
        }
        chain.addFilters(Filter.newBuilder().setName("envoy.filters.network.tcp_proxy")
                .setTypedConfig(Any.pack(proxy.build())));
        if (tls != null) {
            chain.setTransportSocket(tls);
        }
        return Listener.newBuilder()
                .setName(name)
                .setAddress(UpstreamClusters.address(bind, port, SocketAddress.Protocol.TCP))
                .addFilterChains(chain)
                .build();
    }

    static Listener udp(String name, String bind, int port, ResolvedConfig.ServiceEntry s) {
        Route route = Route.newBuilder().setCluster(XdsNames.cluster(s.id())).build();
        UdpProxyConfig proxy = UdpProxyConfig.newBuilder()
                .setStatPrefix(name)
                .setMatcher(Matcher.newBuilder().setOnNoMatch(Matcher.OnMatch.newBuilder()
                        .setAction(TypedExtensionConfig.newBuilder().setName("route")
                                .setTypedConfig(Any.pack(route)))))
                .build();
        return Listener.newBuilder()
                .setName(name)
                .setAddress(UpstreamClusters.address(bind, port, SocketAddress.Protocol.UDP))
                .setUdpListenerConfig(UdpListenerConfig.getDefaultInstance())
                .addListenerFilters(ListenerFilter.newBuilder().setName("envoy.filters.udp_listener.udp_proxy")
                        .setTypedConfig(Any.pack(proxy)))
                .build();
    }
}
