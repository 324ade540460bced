package io.marchproxy.control.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.helidon.config.Config;

import java.util.Locale;

/**
 * The xDS server's listener, from {@code marchproxy.xds} in {@code application.yaml} (environment overrides such as
 * {@code MARCHPROXY_XDS_PORT} apply), and how Envoys resolve backends given by name.
 *
 * @param advertiseHost   the address Envoys are told to reach the xDS server at, in generated bootstraps
 * @param dnsLookupFamily the address family of backend names ({@code dnslookupfamily}: {@code v4_preferred}, the
 *                        default, {@code v4_only}, {@code v6_only}, {@code auto} or {@code all})
 */
public record XdsSettings(boolean enabled, String host, int port, String advertiseHost,
                          Cluster.DnsLookupFamily dnsLookupFamily) {
    public static final XdsSettings DISABLED = new XdsSettings(false, "127.0.0.1", 0, "127.0.0.1");

    /** Backend names resolved {@code V4_PREFERRED}. */
    public XdsSettings(boolean enabled, String host, int port, String advertiseHost) {
        this(enabled, host, port, advertiseHost, Cluster.DnsLookupFamily.V4_PREFERRED);
    }

    public static XdsSettings fromConfig(Config root) {
        Config x = root.get("marchproxy.xds");
        return new XdsSettings(
                x.get("enabled").asBoolean().orElse(true),
                x.get("host").asString().orElse("0.0.0.0"),
                x.get("port").asInt().orElse(18000),
                x.get("advertisehost").asString().orElse("127.0.0.1"),
                dnsLookupFamily(x.get("dnslookupfamily").asString().orElse("v4_preferred")));
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
