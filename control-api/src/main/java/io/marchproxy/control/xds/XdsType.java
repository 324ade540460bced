package io.marchproxy.control.xds;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The five xDS resource types the server serves, in the order a new snapshot is pushed (clusters and their endpoints
 * before the listeners and routes that use them, secrets last: make before break). Listeners and clusters are
 * state-of-the-world wildcard types: a request with no names (or {@code *}) subscribes to all of them.
 */
public enum XdsType {
    CLUSTER("cds", "type.googleapis.com/envoy.config.cluster.v3.Cluster", true),
    ENDPOINT("eds", "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment", false),
    LISTENER("lds", "type.googleapis.com/envoy.config.listener.v3.Listener", true),
    ROUTE("rds", "type.googleapis.com/envoy.config.route.v3.RouteConfiguration", false),
    SECRET("sds", "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret", false);

    private static final Map<String, XdsType> BY_URL = Stream.of(values())
            .collect(Collectors.toUnmodifiableMap(XdsType::typeUrl, Function.identity()));

    private final String shortName;
    private final String typeUrl;
    private final boolean wildcard;

    XdsType(String shortName, String typeUrl, boolean wildcard) {
        this.shortName = shortName;
        this.typeUrl = typeUrl;
        this.wildcard = wildcard;
    }

    /** The xDS service the type is served by, as Envoy's docs, stats and logs name it: cds, eds, lds, rds, sds. */
    public String shortName() {
        return shortName;
    }

    public String typeUrl() {
        return typeUrl;
    }

    /** True for listeners and clusters, whose unnamed requests mean "all of them". */
    public boolean wildcard() {
        return wildcard;
    }

    /** The type of a type URL, or null for one this server does not serve. */
    public static XdsType ofUrl(String typeUrl) {
        return BY_URL.get(typeUrl);
    }
}
