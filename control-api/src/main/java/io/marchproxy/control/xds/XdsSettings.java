package io.marchproxy.control.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.helidon.config.Config;
import io.marchproxy.control.model.Nullable;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The xDS server's listener, from {@code marchproxy.xds} in {@code application.yaml} (environment overrides such as
 * {@code MARCHPROXY_XDS_PORT} apply), and how Envoys resolve backends given by name. Listens on loopback unless told
 * otherwise.
 *
 * @param advertiseHost   the address Envoys are told to reach the xDS server at, in generated bootstraps
 * @param tls             TLS of the listener, or null for plain HTTP/2 (credentials still required)
 * @param stallAfter      how long a node may wait for an answer, an ACK or a referenced resource before it is shown
 *                        unhealthy
 * @param dnsLookupFamily the address family of backend names ({@code dnslookupfamily}: {@code v4_preferred}, the
 *                        default, {@code v4_only}, {@code v6_only}, {@code auto} or {@code all})
 */
public record XdsSettings(boolean enabled, String host, int port, String advertiseHost, @Nullable XdsTls tls,
                          Duration stallAfter, Cluster.DnsLookupFamily dnsLookupFamily) {
    public static final Duration DEFAULT_STALL_AFTER = Duration.ofSeconds(10);
    public static final XdsSettings DISABLED = new XdsSettings(false, "127.0.0.1", 0, "127.0.0.1");

    /** Plain HTTP/2, the default stall bound, backend names resolved {@code V4_PREFERRED}. */
    public XdsSettings(boolean enabled, String host, int port, String advertiseHost) {
        this(enabled, host, port, advertiseHost, null, DEFAULT_STALL_AFTER, Cluster.DnsLookupFamily.V4_PREFERRED);
    }

    public XdsSettings withTls(XdsTls t) {
        return new XdsSettings(enabled, host, port, advertiseHost, t, stallAfter, dnsLookupFamily);
    }

    public XdsSettings withStallAfter(Duration d) {
        return new XdsSettings(enabled, host, port, advertiseHost, tls, d, dnsLookupFamily);
    }

    public XdsSettings withDnsLookupFamily(Cluster.DnsLookupFamily f) {
        return new XdsSettings(enabled, host, port, advertiseHost, tls, stallAfter, f);
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
                Duration.ofSeconds(x.get("stallafter").asLong().orElse(DEFAULT_STALL_AFTER.toSeconds())),
                dnsLookupFamily(x.get("dnslookupfamily").asString().orElse("v4_preferred")));
    }

    private static Path path(Config c) {
        String p = c.asString().map(String::trim).orElse("");
        return p.isEmpty() ? null : Path.of(p);
    }

    /**
     * Envoy's family for one of {@code v4_preferred}, {@code v4_only}, {@code v6_only}, {@code auto}, {@code all}.
     *
     * @throws IllegalArgumentException naming the setting and the values it takes
     */
    static Cluster.DnsLookupFamily dnsLookupFamily(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "v4_preferred" -> Cluster.DnsLookupFamily.V4_PREFERRED;
            case "v4_only" -> Cluster.DnsLookupFamily.V4_ONLY;
            case "v6_only" -> Cluster.DnsLookupFamily.V6_ONLY;
            case "auto" -> Cluster.DnsLookupFamily.AUTO;
            case "all" -> Cluster.DnsLookupFamily.ALL;
            default -> throw new IllegalArgumentException("marchproxy.xds.dnslookupfamily must be v4_preferred, "
                    + "v4_only, v6_only, auto or all, not '" + value + "'");
        };
    }
}
