package io.marchproxy.control.xds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.marchproxy.control.config.ResolvedConfig;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Translates a cluster's resolved configuration into Envoy v3 resources. A pure function of its input: the same
 * config gives equal resources in the same order, which is what lets versions be content hashes.
 *
 * <p>Listeners are keyed by bind address and port: http/https services on the same address, port and TLS setting
 * share a listener (one virtual host each); a tcp or udp service has its own. TLS is terminated for services with
 * TLS enabled or protocol https, with the certificate {@link TlsSecrets#certificateFor} picks. A service that cannot
 * be expressed (no certificate, or a port another service already holds) is left out and named in
 * {@link EnvoyResources#skipped()}, so one bad service never makes Envoy reject the whole update.
 */
public final class EnvoyTranslator {
    private EnvoyTranslator() {
    }

    /** What one listener is made of while services are grouped. */
    private record Group(String name, String kind, String bind, int port, boolean tls,
                         List<ResolvedConfig.ServiceEntry> services, Set<String> certificateIds) {
    }

    public static EnvoyResources translate(ResolvedConfig config) {
        if (!config.settings().active()) {
            return EnvoyResources.EMPTY;
        }
        Map<String, ResolvedConfig.CertificateEntry> certsById = new LinkedHashMap<>();
        config.certificates().forEach(c -> certsById.put(c.id(), c));
        List<String> skipped = new ArrayList<>();
        Map<String, Group> groups = new LinkedHashMap<>();
        List<ResolvedConfig.ServiceEntry> included = new ArrayList<>();
        Map<String, String> upstreamTrust = new LinkedHashMap<>();
        Set<String> usedCertificates = new LinkedHashSet<>();
        Map<String, List<Group>> byPort = new HashMap<>();

        for (ResolvedConfig.ServiceEntry s : config.services()) {
            String kind = switch (s.protocol()) {
                case "tcp" -> "tcp";
                case "udp" -> "udp";
                default -> "http";
            };
            boolean tls = !kind.equals("udp") && (s.tls().enabled() || "https".equals(s.protocol()));
            Optional<ResolvedConfig.CertificateEntry> cert = tls
                    ? TlsSecrets.certificateFor(s, config.certificates()) : Optional.empty();
            if (tls && cert.isEmpty()) {
                skipped.add(s.name() + ": TLS needs a certificate whose SAN names " + s.address()
                        + " or " + s.name());
                continue;
            }
            String bind = XdsNames.bindAddress(s.address());
            String conflict = conflict(byPort.getOrDefault(socketKey(kind, s.port()), List.of()), kind, bind,
                    s.port(), tls);
            if (conflict != null) {
                skipped.add(s.name() + ": " + conflict);
                continue;
            }
            String name = XdsNames.listener(kind, bind, s.port());
            Group g = groups.computeIfAbsent(name, n -> {
                Group created = new Group(n, kind, bind, s.port(), tls, new ArrayList<>(), new LinkedHashSet<>());
                byPort.computeIfAbsent(socketKey(kind, s.port()), k -> new ArrayList<>()).add(created);
                return created;
            });
            g.services().add(s);
            cert.ifPresent(c -> {
                g.certificateIds().add(c.id());
                usedCertificates.add(c.id());
                if (s.tls().verify()) {
                    upstreamTrust.put(s.id(), c.id());
                }
            });
            included.add(s);
        }

        List<Cluster> clusters = new ArrayList<>();
        List<ClusterLoadAssignment> endpoints = new ArrayList<>();
        for (ResolvedConfig.ServiceEntry s : included) {
            String trust = upstreamTrust.get(s.id());
            clusters.add(UpstreamClusters.cluster(s, trust == null ? null : XdsNames.trustSecret(trust)));
            if (UpstreamClusters.usesEds(s)) {
                endpoints.add(UpstreamClusters.loadAssignment(s));
            }
        }
        List<Listener> listeners = new ArrayList<>();
        List<RouteConfiguration> routes = new ArrayList<>();
        Map<String, io.envoyproxy.envoy.config.rbac.v3.RBAC> policies = MappingPolicies.byService(config);
        for (Group g : groups.values()) {
            TransportSocket tls = g.tls() ? downstreamTls(g.certificateIds()) : null;
            switch (g.kind()) {
                case "http" -> {
                    HttpListeners.Built b = HttpListeners.build(g.name(), g.bind(), g.port(), g.services(),
                            policies, tls);
                    listeners.add(b.listener());
                    routes.add(b.routes());
                }
                case "tcp" -> listeners.add(StreamListeners.tcp(g.name(), g.bind(), g.services().getFirst(),
                        policies.get(g.services().getFirst().id()), tls));
                default -> listeners.add(StreamListeners.udp(g.name(), g.bind(), g.services().getFirst()));
            }
        }
        List<Secret> secrets = new ArrayList<>();
        for (String id : usedCertificates) {
            secrets.add(TlsSecrets.certificate(certsById.get(id)));
        }
        for (String id : new LinkedHashSet<>(upstreamTrust.values())) {
            secrets.add(TlsSecrets.trust(certsById.get(id)));
        }
        return new EnvoyResources(clusters, endpoints, listeners, routes, secrets, skipped);
    }

    /**
     * Why a service of {@code kind} cannot bind {@code bind:port} next to the listeners so far, or null if it can:
     * UDP and stream sockets do not collide; a wildcard bind collides with every address on its port; only http
     * services with the same TLS setting share a listener.
     */
    private static String conflict(Iterable<Group> groups, String kind, String bind, int port, boolean tls) {
        boolean udp = kind.equals("udp");
        for (Group g : groups) {
            if (g.port() != port || g.kind().equals("udp") != udp) {
                continue;
            }
            boolean sameBind = g.bind().equals(bind);
            if (!sameBind && !g.bind().equals("0.0.0.0") && !bind.equals("0.0.0.0")) {
                continue;
            }
            if (sameBind && kind.equals("http") && g.kind().equals("http") && g.tls() == tls) {
                return null;
            }
            return "port " + port + " on " + bind + " is already used by " + g.services().getFirst().name();
        }
        return null;
    }

    /** UDP and stream sockets on one port never collide. */
    private static String socketKey(String kind, int port) {
        return (kind.equals("udp") ? "dgram:" : "stream:") + port;
    }

    private static TransportSocket downstreamTls(Set<String> certificateIds) {
        CommonTlsContext.Builder common = CommonTlsContext.newBuilder();
        for (String id : certificateIds) {
            common.addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder()
                    .setName(XdsNames.certificateSecret(id)).setSdsConfig(XdsNames.ADS));
        }
        return TransportSocket.newBuilder().setName("envoy.transport_sockets.tls")
                .setTypedConfig(Any.pack(DownstreamTlsContext.newBuilder().setCommonTlsContext(common).build()))
                .build();
    }
}
