package io.marchproxy.control.xds;

import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.marchproxy.control.rest.Schemas;

/**
 * How MarchProxy entities are named as Envoy resources, and the ADS config source every dynamic reference uses.
 * Names are stable functions of entity ids so that an unchanged entity keeps its resource across versions.
 */
final class XdsNames {
    /** Node metadata key that names the MarchProxy cluster, taking precedence over {@code node.cluster}. */
    static final String CLUSTER_METADATA_KEY = "marchproxy_cluster";

    static final ConfigSource ADS = ConfigSource.newBuilder()
            .setAds(AggregatedConfigSource.getDefaultInstance())
            .setResourceApiVersion(ApiVersion.V3)
            .build();

    private XdsNames() {
    }

    static String cluster(String serviceId) {
        return "svc_" + serviceId;
    }

    static String listener(String kind, String bindAddress, int port) {
        return kind + "_" + bindAddress + "_" + port;
    }

    static String certificateSecret(String certificateId) {
        return "cert_" + certificateId;
    }

    static String trustSecret(String certificateId) {
        return "ca_" + certificateId;
    }

    /** True for an IPv4 or IPv6 literal; never resolves names. */
    static boolean isIpLiteral(String address) {
        return Schemas.isIpv4(address) || address.indexOf(':') >= 0;
    }

    /**
     * Where Envoy binds for a service address: the address itself if it is an IP literal, else every address.
     * Service addresses pass {@link Schemas#address}, so an IPv6 literal never comes in brackets.
     */
    static String bindAddress(String serviceAddress) {
        return isIpLiteral(serviceAddress) ? serviceAddress : "0.0.0.0";
    }
}
