package io.marchproxy.control.xds;

import io.marchproxy.control.config.ResolvedConfig;
import io.marchproxy.control.model.AccessAction;
import io.marchproxy.control.model.Backend;
import io.marchproxy.control.model.HealthCheck;
import io.marchproxy.control.model.PortSpec;
import io.marchproxy.control.model.ServiceAuth;
import io.marchproxy.control.model.TlsSettings;

import java.time.Instant;
import java.util.List;

/**
 * Builds one throw-away snapshot using every kind of resource the translator emits, so the Envoy API's protobuf
 * classes and descriptors (hundreds of them, loaded on first use) are ready before the first real change: otherwise
 * the first change after start pays about a second for class loading.
 */
final class TranslatorWarmup {
    private TranslatorWarmup() {
    }

    static void run() throws Exception {
        List<Backend> backends = List.of(new Backend("127.0.0.1", 1, 1, true));
        ResolvedConfig.ServiceEntry http = new ResolvedConfig.ServiceEntry("w1", "warm-http", "127.0.0.1", 1, 1, "http",
                "default", backends, "ip_hash", new ServiceAuth("jwt", null, "warm-up-secret-0123456789abcdef0123",
                "HS256", 3600), TlsSettings.OFF, null, new HealthCheck("/", 5),
                new ResolvedConfig.Qos(1, 1, 1, "P0", 1, 0, 0), null);
        ResolvedConfig.ServiceEntry token = new ResolvedConfig.ServiceEntry("w2", "warm-token", "127.0.0.1", 1, 1,
                "http", "default", backends, "least_connections", new ServiceAuth("base64", "0123456789abcdef", null,
                null, null), TlsSettings.OFF, null, null, null, null);
        ResolvedConfig.ServiceEntry tls = new ResolvedConfig.ServiceEntry("w3", "warm-tls", "127.0.0.1", 2, 2, "https",
                "default", backends, "round_robin", ServiceAuth.NONE, new TlsSettings(true, true), "c", null, null,
                null);
        ResolvedConfig.ServiceEntry tcp = new ResolvedConfig.ServiceEntry("w4", "warm-tcp", "127.0.0.1", 3, 4, "tcp",
                "default", List.of(new Backend("localhost", 1, 1, true)), "ip_hash", ServiceAuth.NONE,
                TlsSettings.OFF, null, new HealthCheck("/", 5), null, true);
        ResolvedConfig.ServiceEntry udp = new ResolvedConfig.ServiceEntry("w5", "warm-udp", "127.0.0.1", 3, 3, "udp",
                "default", backends, "round_robin", ServiceAuth.NONE, TlsSettings.OFF, null, null, null, true);
        ResolvedConfig config = new ResolvedConfig("warm-up", "warm-up", 0, "", new ResolvedConfig.Settings(true, 1,
                "", false, false, false, AccessAction.DENY), List.of(http, token, tls, tcp, udp),
                List.of(new ResolvedConfig.MappingEntry("m0", "warm-deny", AccessAction.DENY, List.of(),
                                List.of("10.0.0.0/8"), List.of("w1", "w4"), List.of("http", "tcp"),
                                PortSpec.parse("1-4"), false, 0),
                        new ResolvedConfig.MappingEntry("m1", "warm", AccessAction.ALLOW, List.of("w4"),
                                List.of("127.0.0.1/32", "::1/128"), List.of("w1", "w4"), List.of("http", "tcp"),
                                PortSpec.parse("1-4"), false, 1)),
                List.of(new ResolvedConfig.CertificateEntry("c", "warm", "pem", "", "key", List.of("127.0.0.1"),
                        Instant.EPOCH, Instant.EPOCH)));
        XdsSnapshot.of(EnvoyTranslator.translate(config)).dangling();
        XdsSnapshot.of(ProxylessResources.translate(config)).dangling();
    }
}
