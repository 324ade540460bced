package io.marchproxy.control.xds;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.marchproxy.control.config.ResolvedConfig;
import io.marchproxy.control.model.PortSpec;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Mappings as Envoy RBAC: a service that is the destination of at least one mapping (for its protocol and port)
 * admits only the addresses of that mapping's source services; a service no mapping names is left open. Sources are
 * matched by their IP address; a source named only by DNS cannot be matched by address and admits nobody, so a
 * mapping never widens access by accident.
 */
final class MappingPolicies {
    private MappingPolicies() {
    }

    /** The policy of every service some mapping names as a destination, by service id. */
    static Map<String, RBAC> byService(ResolvedConfig config) {
        Map<String, RBAC> out = new HashMap<>();
        if (config.mappings().isEmpty()) {
            return out;
        }
        Map<String, ResolvedConfig.ServiceEntry> byId = new HashMap<>();
        config.services().forEach(s -> byId.put(s.id(), s));
        Set<String> destinations = new HashSet<>();
        config.mappings().forEach(m -> destinations.addAll(m.destinationServiceIds()));
        for (String id : destinations) {
            ResolvedConfig.ServiceEntry s = byId.get(id);
            if (s != null) {
                forService(s, config.mappings(), byId).ifPresent(r -> out.put(id, r));
            }
        }
        return out;
    }

    static Optional<RBAC> forService(ResolvedConfig.ServiceEntry destination,
                                     List<ResolvedConfig.MappingEntry> mappings,
                                     Map<String, ResolvedConfig.ServiceEntry> byId) {
        RBAC.Builder rbac = RBAC.newBuilder().setAction(RBAC.Action.ALLOW);
        boolean applies = false;
        for (ResolvedConfig.MappingEntry m : mappings) {
            if (!m.destinationServiceIds().contains(destination.id())
                    || !m.protocols().contains(destination.protocol())
                    || m.ports().stream().noneMatch(r -> covers(r, destination.port()))) {
                continue;
            }
            applies = true;
            Set<String> sources = new LinkedHashSet<>();
            for (String id : m.sourceServiceIds()) {
                ResolvedConfig.ServiceEntry src = byId.get(id);
                if (src != null && XdsNames.isIpLiteral(src.address())) {
                    sources.add(XdsNames.bindAddress(src.address()));
                }
            }
            if (sources.isEmpty()) {
                continue;
            }
            Policy.Builder policy = Policy.newBuilder()
                    .addPermissions(Permission.newBuilder().setAny(true));
            Principal.Set.Builder any = Principal.Set.newBuilder();
            for (String ip : sources) {
                any.addIds(Principal.newBuilder().setDirectRemoteIp(CidrRange.newBuilder()
                        .setAddressPrefix(ip).setPrefixLen(UInt32Value.of(ip.indexOf(':') >= 0 ? 128 : 32))));
            }
            policy.addPrincipals(Principal.newBuilder().setOrIds(any));
            rbac.putPolicies("mapping:" + m.name(), policy.build());
        }
        return applies ? Optional.of(rbac.build()) : Optional.empty();
    }

    private static boolean covers(PortSpec.Range r, int port) {
        return port >= r.from() && port <= r.to();
    }
}
