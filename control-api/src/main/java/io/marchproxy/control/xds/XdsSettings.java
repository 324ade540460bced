package io.marchproxy.control.xds;

import io.helidon.config.Config;

/**
 * The xDS server's listener, from {@code marchproxy.xds} in {@code application.yaml} (environment overrides such as
 * {@code MARCHPROXY_XDS_PORT} apply).
 *
 * @param advertiseHost the address Envoys are told to reach the xDS server at, in generated bootstraps
 */
public record XdsSettings(boolean enabled, String host, int port, String advertiseHost) {
    public static final XdsSettings DISABLED = new XdsSettings(false, "127.0.0.1", 0, "127.0.0.1");

    public static XdsSettings fromConfig(Config root) {
        Config x = root.get("marchproxy.xds");
        return new XdsSettings(
                x.get("enabled").asBoolean().orElse(true),
                x.get("host").asString().orElse("0.0.0.0"),
                x.get("port").asInt().orElse(18000),
                x.get("advertisehost").asString().orElse("127.0.0.1"));
    }
}
