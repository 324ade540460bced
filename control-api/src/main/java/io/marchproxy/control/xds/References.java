package io.marchproxy.control.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What a listener or cluster makes Envoy subscribe to before it can be used: the route configurations of its HTTP
 * connection managers, the endpoints of an EDS cluster, the SDS secrets of TLS contexts. Read from the resources
 * themselves, so it holds whatever the translator emits; the server uses it to tell a warming listener or cluster
 * (a reference the node does not hold yet) from a healthy one, and to check each snapshot for dangling references.
 */
final class References {
    /** One resource another one depends on. */
    record Ref(XdsType type, String name) {
        @Override
        public String toString() {
            return type.shortName() + " '" + name + "'";
        }
    }

    private References() {
    }

    static Set<Ref> of(Listener l) {
        Set<Ref> out = new LinkedHashSet<>();
        if (l.hasApiListener()) {
            hcm(l.getApiListener().getApiListener(), out);
        }
        for (FilterChain chain : l.getFilterChainsList()) {
            chain(chain, out);
        }
        if (l.hasDefaultFilterChain()) {
            chain(l.getDefaultFilterChain(), out);
        }
        return out;
    }

    static Set<Ref> of(Cluster c) {
        Set<Ref> out = new LinkedHashSet<>();
        if (c.hasType() && c.getType() == Cluster.DiscoveryType.EDS) {
            String service = c.getEdsClusterConfig().getServiceName();
            out.add(new Ref(XdsType.ENDPOINT, service.isEmpty() ? c.getName() : service));
        }
        if (c.hasTransportSocket()) {
            transportSocket(c.getTransportSocket(), out);
        }
        return out;
    }

    private static void chain(FilterChain chain, Set<Ref> out) {
        for (Filter f : chain.getFiltersList()) {
            if (f.hasTypedConfig()) {
                hcm(f.getTypedConfig(), out);
            }
        }
        if (chain.hasTransportSocket()) {
            transportSocket(chain.getTransportSocket(), out);
        }
    }

    private static void hcm(Any config, Set<Ref> out) {
        if (!config.is(HttpConnectionManager.class)) {
            return;
        }
        HttpConnectionManager hcm = unpack(config, HttpConnectionManager.class);
        if (hcm != null && hcm.hasRds()) {
            out.add(new Ref(XdsType.ROUTE, hcm.getRds().getRouteConfigName()));
        }
    }

    private static void transportSocket(TransportSocket socket, Set<Ref> out) {
        if (!socket.hasTypedConfig()) {
            return;
        }
        Any config = socket.getTypedConfig();
        CommonTlsContext common = null;
        if (config.is(DownstreamTlsContext.class)) {
            DownstreamTlsContext d = unpack(config, DownstreamTlsContext.class);
            common = d == null ? null : d.getCommonTlsContext();
        } else if (config.is(UpstreamTlsContext.class)) {
            UpstreamTlsContext u = unpack(config, UpstreamTlsContext.class);
            common = u == null ? null : u.getCommonTlsContext();
        }
        if (common == null) {
            return;
        }
        for (SdsSecretConfig s : common.getTlsCertificateSdsSecretConfigsList()) {
            out.add(new Ref(XdsType.SECRET, s.getName()));
        }
        if (common.hasValidationContextSdsSecretConfig()) {
            out.add(new Ref(XdsType.SECRET, common.getValidationContextSdsSecretConfig().getName()));
        }
        if (common.hasCombinedValidationContext()
                && common.getCombinedValidationContext().hasValidationContextSdsSecretConfig()) {
            out.add(new Ref(XdsType.SECRET,
                    common.getCombinedValidationContext().getValidationContextSdsSecretConfig().getName()));
        }
    }

    private static <T extends com.google.protobuf.Message> T unpack(Any any, Class<T> type) {
        try {
            return any.unpack(type);
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }
}
