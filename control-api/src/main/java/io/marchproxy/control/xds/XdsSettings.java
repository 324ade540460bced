package io.marchproxy.control.xds;

import io.helidon.config.Config;
import io.marchproxy.control.model.Nullable;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The xDS server's listener, from {@code marchproxy.xds} in {@code application.yaml} (environment overrides such as
 * {@code MARCHPROXY_XDS_PORT} apply). Listens on loopback unless told otherwise.
 *
 * @param advertiseHost the address Envoys are told to reach the xDS server at, in generated bootstraps
 * @param tls           TLS of the listener, or null for plain HTTP/2 (credentials still required)
 * @param stallAfter    how long a node may wait for an answer, an ACK or a referenced resource before it is shown
 *                      unhealthy
 */
public record XdsSettings(boolean enabled, String host, int port, String advertiseHost, @Nullable XdsTls tls,
                          Duration stallAfter) {
    public static final Duration DEFAULT_STALL_AFTER = Duration.ofSeconds(10);
    public static final XdsSettings DISABLED = new XdsSettings(false, "127.0.0.1", 0, "127.0.0.1");

    public XdsSettings(boolean enabled, String host, int port, String advertiseHost) {
        this(enabled, host, port, advertiseHost, null, DEFAULT_STALL_AFTER);
    }

    public XdsSettings withTls(XdsTls t) {
        return new XdsSettings(enabled, host, port, advertiseHost, t, stallAfter);
    }

    public XdsSettings withStallAfter(Duration d) {
        return new XdsSettings(enabled, host, port, advertiseHost, tls, d);
    }

    public static XdsSettings fromConfig(Config root) {
        Config x = root.get("marchproxy.xds");
        Config t = x.get("tls");
        String cert = t.get("cert").asString().map(String::trim).orElse("");
        String key = t.get("key").asString().map(String::trim).orElse("");
        if (cert.isEmpty() != key.isEmpty()) {
            throw new IllegalArgumentException("marchproxy.xds.tls: set both cert and key (PEM files), or neither");
        }
        XdsTls tls = cert.isEmpty() ? null : new XdsTls(Path.of(cert), Path.of(key), path(t.get("ca")),
                path(t.get("clientca")));
        return new XdsSettings(
                x.get("enabled").asBoolean().orElse(true),
                x.get("host").asString().orElse("127.0.0.1"),
                x.get("port").asInt().orElse(18000),
                x.get("advertisehost").asString().orElse("127.0.0.1"),
                tls,
                Duration.ofSeconds(x.get("stallafter").asLong().orElse(DEFAULT_STALL_AFTER.toSeconds())));
    }

    private static Path path(Config c) {
        String p = c.asString().map(String::trim).orElse("");
        return p.isEmpty() ? null : Path.of(p);
    }
}
