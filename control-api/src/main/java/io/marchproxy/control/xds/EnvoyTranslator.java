package io.marchproxy.control.xds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.marchproxy.control.config.ResolvedConfig;
import io.marchproxy.control.model.PortClaim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Translates a cluster's resolved configuration into Envoy v3 resources. A pure function of its input: the same
 * config gives equal resources in the same order, which is what lets versions be content hashes.
 *
 * <p>Listeners follow each service's {@link PortClaim}: http/https services on the same address, port and TLS setting
 * share a listener (one virtual host each); a tcp or udp service has its own, one per port of its port range up to
 * {@value #MAX_PORTS_PER_SERVICE} ports. TLS is terminated with the certificate the resolved config chose for the
 * service, under an SDS secret named by the service. Mappings become RBAC ({@link MappingPolicies}). A service that
 * cannot be expressed (no certificate, a clashing port, a wider range, UDP restricted by mappings) is left out and
 * reported in {@link EnvoyResources#leftOut()}, so one bad service never makes Envoy reject the whole update.
 */
public final class EnvoyTranslator {
    /** Widest tcp/udp port range Envoy gets, as one listener per port; the L4 dataplane serves wider ones. */
    static final int MAX_PORTS_PER_SERVICE = 16;

    private EnvoyTranslator() {
    }

    /** What one listener is made of while services are grouped. */
    private record Group(String name, PortClaim.Kind kind, String bind, int port, boolean tls,
                         List<ResolvedConfig.ServiceEntry> services) {
    }

    /** A service given its listeners, and its claim. */
    private record Placed(ResolvedConfig.ServiceEntry service, PortClaim claim) {
    }

    /** With STRICT_DNS backends resolved to IPv4 first ({@code V4_PREFERRED}). */
    public static EnvoyResources translate(ResolvedConfig config) {
        return translate(config, Cluster.DnsLookupFamily.V4_PREFERRED);
    }

    /** @param dnsFamily the address family backends named by DNS are resolved to */
    public static EnvoyResources translate(ResolvedConfig config, Cluster.DnsLookupFamily dnsFamily) {
        return translate(config, dnsFamily, new TranslationMemo());
    }

    /**
     * As {@link #translate(ResolvedConfig, Cluster.DnsLookupFamily)}, reusing what {@code memo} holds of the last
     * translation of the same cluster for what did not change, and leaving this translation's outputs in it. The
     * result is equal to a translation from scratch.
     */
    static EnvoyResources translate(ResolvedConfig config, Cluster.DnsLookupFamily dnsFamily, TranslationMemo memo) {
        if (!config.settings().active()) {
            memo.services = new HashMap<>();
            memo.listeners = new HashMap<>();
            return EnvoyResources.EMPTY;
        }
        boolean sameMappings = memo.sameMappings(config);
        boolean sameCertificates = memo.sameCertificates(config);
        Map<String, TranslationMemo.ServiceMemo> previous = memo.services;
        Map<String, TranslationMemo.ServiceMemo> next = new HashMap<>();
        Map<String, ResolvedConfig.CertificateEntry> certsById = new HashMap<>();
        config.certificates().forEach(c -> certsById.put(c.id(), c));
        List<LeftOut> leftOut = new ArrayList<>();
        List<Placed> placed = new ArrayList<>();
        Map<String, List<Placed>> placedByPort = new HashMap<>();
        Map<String, Group> groups = new LinkedHashMap<>();
        Map<String, Map<Integer, RBAC>> policies = new HashMap<>();

        for (ResolvedConfig.ServiceEntry s : config.services()) {
            PortClaim claim = PortClaim.of(s.address(), s.port(), s.portEnd(), s.protocol(), s.tls());
            String why = unservable(s, claim, certsById, placedByPort);
            TranslationMemo.ServiceMemo before = previous.get(s.id());
            boolean unchanged = before != null && before.entry().equals(s);
            Map<Integer, RBAC> rules = why != null ? Map.of()
                    : unchanged && sameMappings ? before.rules() : rbacByPort(config, s, claim);
            if (why == null && claim.datagram() && !rules.isEmpty()) {
                why = rules.values().stream().allMatch(MappingPolicies::deniesEveryone)
                        ? "no mapping admits a client (a UDP service with no listener admits none)"
                        : "Envoy cannot filter UDP by client address and mappings restrict it, so only the L4 "
                        + "dataplane serves it";
            }
            if (why != null) {
                leftOut.add(new LeftOut(s.id(), s.name(), why));
                continue;
            }
            Placed here = new Placed(s, claim);
            placed.add(here);
            policies.put(s.id(), rules);
            for (int port = claim.from(); port <= claim.to(); port++) {
                placedByPort.computeIfAbsent(portKey(claim, port), k -> new ArrayList<>()).add(here);
                int p = port;
                String name = XdsNames.listener(claim.kind().name().toLowerCase(Locale.ROOT), claim.bind(), p);
                groups.computeIfAbsent(name, n -> new Group(n, claim.kind(), claim.bind(), p, claim.tls(),
                        new ArrayList<>())).services().add(s);
            }
        }

        List<Cluster> clusters = new ArrayList<>();
        List<ClusterLoadAssignment> endpoints = new ArrayList<>();
        List<Secret> secrets = new ArrayList<>();
        List<Secret> trust = new ArrayList<>();
        for (Placed p : placed) {
            ResolvedConfig.ServiceEntry s = p.service();
            boolean verified = p.claim().tls() && s.tls().verify();
            TranslationMemo.ServiceMemo before = previous.get(s.id());
            boolean unchanged = before != null && before.entry().equals(s) && before.family() == dnsFamily;
            Cluster cluster = unchanged ? before.cluster()
                    : UpstreamClusters.cluster(s, verified ? XdsNames.trustSecret(s.id()) : null, dnsFamily);
            clusters.add(cluster);
            ClusterLoadAssignment cla = null;
            if (UpstreamClusters.usesEds(s)) {
                cla = unchanged && before.endpoints() != null ? before.endpoints() : UpstreamClusters.loadAssignment(s);
                endpoints.add(cla);
            }
            Secret certificate = null;
            Secret trusted = null;
            if (p.claim().tls()) {
                boolean sameSecrets = unchanged && sameCertificates && before.certificate() != null;
                ResolvedConfig.CertificateEntry cert = certsById.get(s.certificateId());
                certificate = sameSecrets ? before.certificate() : TlsSecrets.certificate(s.id(), cert);
                secrets.add(certificate);
                if (verified) {
                    trusted = sameSecrets && before.trust() != null ? before.trust() : TlsSecrets.trust(s.id(), cert);
                    trust.add(trusted);
                }
            }
            next.put(s.id(), new TranslationMemo.ServiceMemo(s, dnsFamily, policies.get(s.id()), cluster, cla,
                    certificate, trusted));
        }
        secrets.addAll(trust);

        List<Listener> listeners = new ArrayList<>();
        List<RouteConfiguration> routes = new ArrayList<>();
        Map<String, TranslationMemo.ListenerMemo> nextListeners = new HashMap<>();
        for (Group g : groups.values()) {
            Map<String, RBAC> byService = new HashMap<>();
            for (ResolvedConfig.ServiceEntry s : g.services()) {
                RBAC rules = policies.get(s.id()).get(g.port());
                if (rules != null) {
                    byService.put(s.id(), rules);
                }
            }
            // Equal services and rules make an equal listener: reuse last time's objects.
            List<Object> inputs = List.of(g, byService);
            TranslationMemo.ListenerMemo before = memo.listeners.get(g.name());
            if (before != null && before.inputs().equals(inputs)) {
                listeners.add(before.listener());
                if (before.routes() != null) {
                    routes.add(before.routes());
                }
                nextListeners.put(g.name(), before);
                continue;
            }
            int listenersBefore = listeners.size();
            int routesBefore = routes.size();
            TransportSocket tls = g.tls() ? downstreamTls(g.services()) : null;
            switch (g.kind()) {
                case HTTP -> {
                    HttpListeners.Built b = HttpListeners.build(g.name(), g.bind(), g.port(), g.services(),
                            byService, tls);
                    listeners.add(b.listener());
                    routes.add(b.routes());
                }
                case TCP -> {
                    ResolvedConfig.ServiceEntry s = g.services().getFirst();
                    listeners.add(StreamListeners.tcp(g.name(), g.bind(), g.port(), s, byService.get(s.id()), tls));
                }
                case UDP -> listeners.add(StreamListeners.udp(g.name(), g.bind(), g.port(),
                        g.services().getFirst()));
            }
            nextListeners.put(g.name(), new TranslationMemo.ListenerMemo(inputs, listeners.get(listenersBefore),
                    routes.size() > routesBefore ? routes.get(routesBefore) : null));
        }
        memo.settings = config.settings();
        memo.mappings = config.mappings();
        memo.certificates = config.certificates();
        memo.services = next;
        memo.listeners = nextListeners;
        return new EnvoyResources(clusters, endpoints, listeners, routes, secrets, leftOut);
    }

    /**
     * Why Envoy cannot serve {@code s} whatever the mappings say (too wide a range, no certificate, a port a service
     * placed before holds), or null if it can.
     */
    private static String unservable(ResolvedConfig.ServiceEntry s, PortClaim claim,
                                     Map<String, ResolvedConfig.CertificateEntry> certsById,
                                     Map<String, List<Placed>> placedByPort) {
        int ports = claim.to() - claim.from() + 1;
        if (ports > MAX_PORTS_PER_SERVICE) {
            return "ports " + claim.from() + "-" + claim.to() + " are " + ports + " ports; Envoy gets one listener "
                    + "per port for at most " + MAX_PORTS_PER_SERVICE + ", so only the L4 dataplane serves it";
        }
        if (claim.tls() && (s.certificateId() == null || !certsById.containsKey(s.certificateId()))) {
            return "TLS needs a certificate: name one in certificateId, or upload one whose SAN names "
                    + s.address() + " or " + s.name();
        }
        for (int port = claim.from(); port <= claim.to(); port++) {
            for (Placed p : placedByPort.getOrDefault(portKey(claim, port), List.of())) {
                if (p.claim().clashesWith(claim)) {
                    return claim.describe() + " is already used by " + p.service().name();
                }
            }
        }
        return null;
    }

    /** Placed claims by socket type and port: only claims on one port can clash. */
    private static String portKey(PortClaim claim, int port) {
        return (claim.datagram() ? "dgram:" : "stream:") + port;
    }

    /** The service's RBAC on each of its ports; a port is absent when every client is allowed there. */
    private static Map<Integer, RBAC> rbacByPort(ResolvedConfig config, ResolvedConfig.ServiceEntry s,
                                                 PortClaim claim) {
        Map<Integer, RBAC> byPort = new HashMap<>();
        for (int port = claim.from(); port <= claim.to(); port++) {
            Optional<RBAC> rules = MappingPolicies.forService(config, s, port);
            if (rules.isPresent()) {
                byPort.put(port, rules.get());
            }
        }
        return byPort;
    }

    /** The TLS context of a listener: the certificate secret of each TLS service on it, in service order. */
    private static TransportSocket downstreamTls(List<ResolvedConfig.ServiceEntry> services) {
        CommonTlsContext.Builder common = CommonTlsContext.newBuilder();
        for (ResolvedConfig.ServiceEntry s : services) {
            common.addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder()
                    .setName(XdsNames.certificateSecret(s.id())).setSdsConfig(XdsNames.ADS));
        }
        return TransportSocket.newBuilder().setName("envoy.transport_sockets.tls")
                .setTypedConfig(Any.pack(DownstreamTlsContext.newBuilder().setCommonTlsContext(common).build()))
                .build();
    }
}
