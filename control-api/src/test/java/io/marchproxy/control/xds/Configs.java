package io.marchproxy.control.xds;

import io.marchproxy.control.config.ResolvedConfig;
import io.marchproxy.control.model.AccessAction;
import io.marchproxy.control.model.Backend;
import io.marchproxy.control.model.HealthCheck;
import io.marchproxy.control.model.PortSpec;
import io.marchproxy.control.model.ServiceAuth;
import io.marchproxy.control.model.TlsSettings;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Resolved configs built by hand, for the pure translation tests. */
final class Configs {
    private final List<ResolvedConfig.ServiceEntry> services = new ArrayList<>();
    private final List<ResolvedConfig.MappingEntry> mappings = new ArrayList<>();
    private final List<ResolvedConfig.CertificateEntry> certificates = new ArrayList<>();
    private AccessAction defaultPolicy = AccessAction.ALLOW;

    static ResolvedConfig.ServiceEntry http(String id, String address, int port, Backend... backends) {
        return new ResolvedConfig.ServiceEntry(id, "svc-" + id, address, port, port, "http", "default",
                List.of(backends), "round_robin", ServiceAuth.NONE, TlsSettings.OFF, null, null, null, null);
    }

    static ResolvedConfig.ServiceEntry with(ResolvedConfig.ServiceEntry s, String protocol, String lb,
                                            ServiceAuth auth, TlsSettings tls, HealthCheck hc,
                                            ResolvedConfig.Qos qos) {
        return new ResolvedConfig.ServiceEntry(s.id(), s.name(), s.address(), s.port(), s.portEnd(), protocol,
                s.collection(), s.backends(), lb, auth, tls, s.certificateId(), hc, qos,
                s.offload());
    }

    /** {@code s} presenting certificate {@code certificateId}, as the resolver would have chosen it. */
    static ResolvedConfig.ServiceEntry presenting(ResolvedConfig.ServiceEntry s, String certificateId) {
        return new ResolvedConfig.ServiceEntry(s.id(), s.name(), s.address(), s.port(), s.portEnd(), s.protocol(),
                s.collection(), s.backends(), s.loadBalancing(), s.auth(), s.tls(), certificateId, s.healthCheck(),
                s.qos(), s.offload());
    }

    /** {@code s} as a {@code protocol} service on ports {@code port..portEnd}. */
    static ResolvedConfig.ServiceEntry ports(ResolvedConfig.ServiceEntry s, String protocol, int port, int portEnd) {
        return new ResolvedConfig.ServiceEntry(s.id(), s.name(), s.address(), port, portEnd, protocol,
                s.collection(), s.backends(), s.loadBalancing(), s.auth(), s.tls(), s.certificateId(),
                s.healthCheck(), s.qos(), s.offload());
    }

    static Backend backend(String address, int port, int weight) {
        return new Backend(address, port, weight, true);
    }

    Configs service(ResolvedConfig.ServiceEntry s) {
        services.add(s);
        return this;
    }

    Configs defaultPolicy(AccessAction policy) {
        defaultPolicy = policy;
        return this;
    }

    /** An allow mapping from source services, matching their IP addresses. */
    Configs mapping(String name, List<String> sources, List<String> destinations, String protocol, String ports) {
        List<String> prefixes = new ArrayList<>();
        for (String id : sources) {
            services.stream().filter(s -> s.id().equals(id) && XdsNames.isIpLiteral(s.address()))
                    .forEach(s -> prefixes.add(s.address() + (s.address().contains(":") ? "/128" : "/32")));
        }
        return mapping(name, AccessAction.ALLOW, 100, sources, prefixes, destinations, protocol, ports);
    }

    /** A mapping in priority order; mappings must be added in the order the resolver would sort them. */
    Configs mapping(String name, AccessAction action, int priority, List<String> sources, List<String> prefixes,
                    List<String> destinations, String protocol, String ports) {
        mappings.add(new ResolvedConfig.MappingEntry("m-" + name, name, action, sources, prefixes, destinations,
                List.of(protocol), PortSpec.parse(ports), false, priority));
        return this;
    }

    Configs certificate(String id, String san, String certPem, String keyPem) {
        certificates.add(new ResolvedConfig.CertificateEntry(id, "cert-" + id, certPem, "", keyPem, List.of(san),
                Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2030-01-01T00:00:00Z")));
        return this;
    }

    ResolvedConfig build() {
        List<ResolvedConfig.ServiceEntry> sorted = services.stream()
                .sorted(java.util.Comparator.comparing(ResolvedConfig.ServiceEntry::id)).toList();
        return new ResolvedConfig("c1", "edge", 7, "sha256:test",
                new ResolvedConfig.Settings(true, 3, "", false, false, false, defaultPolicy), sorted, mappings,
                certificates);
    }
}
