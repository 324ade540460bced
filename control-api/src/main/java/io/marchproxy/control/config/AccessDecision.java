package io.marchproxy.control.config;

import io.marchproxy.control.model.AccessAction;
import io.marchproxy.control.model.Cidr;
import io.marchproxy.control.model.PortSpec;

import java.util.List;

/**
 * How mappings decide a connection from a client address to one port of a service; the rule the Envoy translator
 * expresses as RBAC and the L4 dataplane applies, written once as plain code to test both against.
 *
 * <p>The mappings that <em>apply</em> are the active ones naming the service as a destination, listing its protocol
 * and covering the port, in priority order (lower {@code priority} first, then id). The first applicable mapping one
 * of whose {@code sourcePrefixes} contains the client decides, with its action. If none does, the connection gets the
 * {@link #fallback}: denied when the cluster's default policy is deny, and also when an allow mapping applies (a
 * service some allow mapping names admits only what mappings admit, as before default policies existed); allowed
 * otherwise.
 */
public final class AccessDecision {
    private AccessDecision() {
    }

    /** The mappings that apply to {@code service} on {@code port}, in the order they are tried. */
    public static List<ResolvedConfig.MappingEntry> applicable(ResolvedConfig config,
                                                               ResolvedConfig.ServiceEntry service, int port) {
        return config.mappings().stream()
                .filter(m -> m.destinationServiceIds().contains(service.id())
                        && m.protocols().contains(service.protocol())
                        && m.ports().stream().anyMatch(r -> covers(r, port)))
                .toList();
    }

    /** What a connection that no applicable mapping matches gets. */
    public static AccessAction fallback(ResolvedConfig config, List<ResolvedConfig.MappingEntry> applicable) {
        boolean allowList = applicable.stream().anyMatch(m -> m.action() == AccessAction.ALLOW);
        return config.settings().defaultPolicy() == AccessAction.DENY || allowList
                ? AccessAction.DENY : AccessAction.ALLOW;
    }

    /** The decision for a client at {@code clientAddress} (4 or 16 bytes) connecting to {@code service:port}. */
    public static AccessAction decide(ResolvedConfig config, ResolvedConfig.ServiceEntry service, int port,
                                      byte[] clientAddress) {
        List<ResolvedConfig.MappingEntry> applicable = applicable(config, service, port);
        for (ResolvedConfig.MappingEntry m : applicable) {
            if (m.sourcePrefixes().stream().anyMatch(p -> Cidr.parse(p).contains(clientAddress))) {
                return m.action();
            }
        }
        return fallback(config, applicable);
    }

    private static boolean covers(PortSpec.Range r, int port) {
        return port >= r.from() && port <= r.to();
    }
}
