package io.marchproxy.control.xds;

import io.marchproxy.control.config.ResolvedConfig;
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

    static ResolvedConfig.ServiceEntry http(String id, String address, int port, Backend... backends) {
        return new ResolvedConfig.ServiceEntry(id, "svc-" + id, address, port, "http", "default", List.of(backends),
                "round_robin", ServiceAuth.NONE, TlsSettings.OFF, null, null);
    }

    static ResolvedConfig.ServiceEntry with(ResolvedConfig.ServiceEntry s, String protocol, String lb,
                                            ServiceAuth auth, TlsSettings tls, HealthCheck hc,
                                            ResolvedConfig.Qos qos) {
        return new ResolvedConfig.ServiceEntry(s.id(), s.name(), s.address(), s.port(), protocol, s.collection(),
                s.backends(), lb, auth, tls, hc, qos);
    }

    static Backend backend(String address, int port, int weight) {
        return new Backend(address, port, weight, true);
    }

    Configs service(ResolvedConfig.ServiceEntry s) {
        services.add(s);
        return this;
    }

    Configs mapping(String name, List<String> sources, List<String> destinations, String protocol, String ports) {
        mappings.add(new ResolvedConfig.MappingEntry("m-" + name, name, sources, destinations, List.of(protocol),
                PortSpec.parse(ports), false, 100));
        return this;
    }

    Configs certificate(String id, String san, String certPem, String keyPem) {
        certificates.add(new ResolvedConfig.CertificateEntry(id, "cert-" + id, certPem, "", keyPem, List.of(san),
                Instant.parse("2030-01-01T00:00:00Z")));
        return this;
    }

    ResolvedConfig build() {
        List<ResolvedConfig.ServiceEntry> sorted = services.stream()
                .sorted(java.util.Comparator.comparing(ResolvedConfig.ServiceEntry::id)).toList();
        return new ResolvedConfig("c1", "edge", 7, "sha256:test",
                new ResolvedConfig.Settings(true, 3, "", false, false, false), sorted, mappings, certificates);
    }
}
