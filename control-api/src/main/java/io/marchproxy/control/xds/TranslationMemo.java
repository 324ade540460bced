package io.marchproxy.control.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.marchproxy.control.config.ResolvedConfig;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the last translation of one cluster produced, kept so that the next one re-translates only what changed: a
 * service whose resolved entry is equal to last time keeps its cluster, endpoints, secrets and access rules (the
 * mappings and certificates being equal too), a listener whose services and rules are equal keeps its listener and
 * routes. Reused outputs are the same objects, so {@link XdsSnapshot#of(EnvoyResources, XdsSnapshot)} reuses their
 * encodings by identity. Owned by one thread (the xDS snapshot builder); a memo per cluster.
 */
final class TranslationMemo {
    /** A service's inputs and outputs. */
    record ServiceMemo(ResolvedConfig.ServiceEntry entry, Cluster.DnsLookupFamily family, Map<Integer, RBAC> rules,
                       Cluster cluster, ClusterLoadAssignment endpoints, Secret certificate, Secret trust) {
    }

    /** A listener's inputs and outputs. */
    record ListenerMemo(Object inputs, Listener listener, RouteConfiguration routes) {
    }

    ResolvedConfig.Settings settings;
    List<ResolvedConfig.MappingEntry> mappings;
    List<ResolvedConfig.CertificateEntry> certificates;
    Map<String, ServiceMemo> services = new HashMap<>();
    Map<String, ListenerMemo> listeners = new HashMap<>();

    /** True when the access rules computed last time still hold for equal services. */
    boolean sameMappings(ResolvedConfig config) {
        return config.mappings().equals(mappings) && config.settings().equals(settings);
    }

    boolean sameCertificates(ResolvedConfig config) {
        return config.certificates().equals(certificates);
    }
}
