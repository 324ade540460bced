package io.marchproxy.control.xds;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.marchproxy.control.config.AccessDecision;
import io.marchproxy.control.config.ResolvedConfig;
import io.marchproxy.control.model.AccessAction;
import io.marchproxy.control.model.Cidr;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link AccessDecision}'s first-match rule as Envoy RBAC, for one service on one port. Envoy's RBAC has no order, so
 * the order is compiled in: when the fallback is deny, an ALLOW-action RBAC whose policy for each allow mapping is
 * "its sources and none of the sources of the deny mappings before it"; when the fallback is allow, symmetrically a
 * DENY-action RBAC of the deny mappings. With the fallback deny and no policy, the RBAC denies everyone. Clients are
 * matched by the connection's peer address ({@code direct_remote_ip}), never by a header a client can set.
 */
final class MappingPolicies {
    private MappingPolicies() {
    }

    /** The RBAC rules for connections to {@code service} on {@code port}; empty when every client is allowed. */
    static Optional<RBAC> forService(ResolvedConfig config, ResolvedConfig.ServiceEntry service, int port) {
        List<ResolvedConfig.MappingEntry> applicable = AccessDecision.applicable(config, service, port);
        AccessAction fallback = AccessDecision.fallback(config, applicable);
        RBAC.Builder rbac = RBAC.newBuilder()
                .setAction(fallback == AccessAction.DENY ? RBAC.Action.ALLOW : RBAC.Action.DENY);
        List<String> decidedEarlier = new ArrayList<>();
        for (ResolvedConfig.MappingEntry m : applicable) {
            if (m.action() == fallback) {
                // Clients in these sources get the fallback here, whatever later mappings say.
                decidedEarlier.addAll(m.sourcePrefixes());
                continue;
            }
            if (m.sourcePrefixes().isEmpty()) {
                continue;
            }
            Principal matched = anyOf(m.sourcePrefixes());
            if (!decidedEarlier.isEmpty()) {
                matched = Principal.newBuilder().setAndIds(Principal.Set.newBuilder()
                        .addIds(matched)
                        .addIds(Principal.newBuilder().setNotId(anyOf(decidedEarlier)))).build();
            }
            rbac.putPolicies("mapping:" + m.name(), Policy.newBuilder()
                    .addPermissions(Permission.newBuilder().setAny(true))
                    .addPrincipals(matched).build());
        }
        if (fallback == AccessAction.ALLOW && rbac.getPoliciesCount() == 0) {
            return Optional.empty();
        }
        return Optional.of(rbac.build());
    }

    /** True if {@code rules} admit nobody: an ALLOW-action RBAC without a policy. */
    static boolean deniesEveryone(RBAC rules) {
        return rules.getAction() == RBAC.Action.ALLOW && rules.getPoliciesCount() == 0;
    }

    private static Principal anyOf(List<String> prefixes) {
        Principal.Set.Builder any = Principal.Set.newBuilder();
        for (String p : prefixes) {
            Cidr c = Cidr.parse(p);
            any.addIds(Principal.newBuilder().setDirectRemoteIp(CidrRange.newBuilder()
                    .setAddressPrefix(c.address()).setPrefixLen(UInt32Value.of(c.prefixLength()))));
        }
        return Principal.newBuilder().setOrIds(any).build();
    }
}
