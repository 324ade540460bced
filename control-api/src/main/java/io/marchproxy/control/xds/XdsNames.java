package io.marchproxy.control.xds;

import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.marchproxy.control.model.Cidr;
import io.marchproxy.control.model.PortClaim;

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

    /**
     * The SDS secret holding the certificate a TLS service presents. Named by the service, not the certificate, so a
     * rotation (another certificate chosen for the service) changes the secret's content only, never the listener
     * that refers to it.
     */
    static String certificateSecret(String serviceId) {
        return "cert_svc_" + serviceId;
    }

    /** The SDS validation context the backends of a verified-TLS service are checked against, named likewise. */
    static String trustSecret(String serviceId) {
        return "ca_svc_" + serviceId;
    }

    /** True for an IPv4 or IPv6 literal; never resolves names. */
    static boolean isIpLiteral(String address) {
        return Cidr.isIpLiteral(address);
    }

    /**
     * Where Envoy binds for a service address: the address itself if it is an IP literal, else every address.
     * Service addresses pass {@code Schemas.address}, so an IPv6 literal never comes in brackets.
     */
    static String bindAddress(String serviceAddress) {
        return PortClaim.bindAddress(serviceAddress);
    }
}
