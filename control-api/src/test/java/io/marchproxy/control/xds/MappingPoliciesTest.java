package io.marchproxy.control.xds;

import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.marchproxy.control.config.AccessDecision;
import io.marchproxy.control.config.ResolvedConfig;
import io.marchproxy.control.model.AccessAction;
import io.marchproxy.control.model.Cidr;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static io.marchproxy.control.xds.Configs.backend;
import static io.marchproxy.control.xds.Configs.http;
import static io.marchproxy.control.xds.Configs.ports;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The RBAC Envoy gets decides every connection as {@link AccessDecision} does: random mappings (allow and deny, in
 * random priority, overlapping IPv4 and IPv6 prefixes, several destinations, protocols and ports) under either default
 * policy, every client address of a small universe, evaluated by a model of Envoy's RBAC semantics.
 */
class MappingPoliciesTest {
    private static final List<String> PREFIXES = List.of("10.0.0.0/29", "10.0.0.0/30", "10.0.0.4/31", "10.0.0.1",
            "10.0.0.6/32", "0.0.0.0/0", "2001:db8::/126", "2001:db8::2", "::/0");
    private static final List<String> CLIENTS = List.of("10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4",
            "10.0.0.5", "10.0.0.6", "10.0.0.7", "10.0.0.8", "2001:db8::1", "2001:db8::2", "2001:db8::9");

    @Test
    void envoyRbacDecidesEveryClientAsTheFirstMatchRuleDoes() {
        Random r = new Random(11);
        int decided = 0;
        for (int round = 0; round < 400; round++) {
            Configs c = new Configs().defaultPolicy(r.nextBoolean() ? AccessAction.ALLOW : AccessAction.DENY);
            List<ResolvedConfig.ServiceEntry> services = List.of(
                    http("a", "10.9.0.1", 80, backend("10.8.0.1", 80, 1)),
                    ports(http("b", "10.9.0.2", 5000, backend("10.8.0.2", 5000, 1)), "tcp", 5000, 5003));
            services.forEach(c::service);
            int mappings = r.nextInt(6);
            for (int m = 0; m < mappings; m++) {
                List<String> sources = new ArrayList<>();
                for (int s = r.nextInt(3); s >= 0; s--) {
                    sources.add(Cidr.parse(PREFIXES.get(r.nextInt(PREFIXES.size()))).toString());
                }
                int from = 4999 + r.nextInt(4);
                c.mapping("m" + m, r.nextBoolean() ? AccessAction.ALLOW : AccessAction.DENY, m, List.of(), sources,
                        r.nextBoolean() ? List.of("a", "b") : List.of(r.nextBoolean() ? "a" : "b"),
                        r.nextBoolean() ? "tcp" : "http", r.nextBoolean() ? "80," + from + "-5003" : "80");
            }
            ResolvedConfig config = c.build();
            for (ResolvedConfig.ServiceEntry s : config.services()) {
                for (int port = s.port(); port <= s.portEnd(); port++) {
                    Optional<RBAC> rules = MappingPolicies.forService(config, s, port);
                    for (String client : CLIENTS) {
                        byte[] address = Cidr.parse(client).network();
                        AccessAction expected = AccessDecision.decide(config, s, port, address);
                        AccessAction envoy = rules.map(x -> evaluate(x, address)).orElse(AccessAction.ALLOW);
                        assertEquals(expected, envoy, "service " + s.id() + " port " + port + " client " + client
                                + "\n" + config.mappings() + "\n" + rules);
                        decided += expected == AccessAction.DENY ? 1 : 0;
                    }
                }
            }
        }
        assertTrue(decided > 1000, "the rounds deny some clients and allow others: " + decided + " denied");
    }

    /** Envoy's RBAC as documented: ALLOW admits a client some policy matches, DENY refuses it. */
    static AccessAction evaluate(RBAC rbac, byte[] client) {
        boolean matched = rbac.getPoliciesMap().values().stream().anyMatch(p -> matches(p, client));
        return switch (rbac.getAction()) {
            case ALLOW -> matched ? AccessAction.ALLOW : AccessAction.DENY;
            case DENY -> matched ? AccessAction.DENY : AccessAction.ALLOW;
            default -> throw new AssertionError("unexpected action " + rbac.getAction());
        };
    }

    private static boolean matches(Policy p, byte[] client) {
        assertTrue(p.getPermissionsList().stream().allMatch(x -> x.getAny()), "permissions are always any");
        return p.getPrincipalsList().stream().anyMatch(x -> matches(x, client));
    }

    private static boolean matches(Principal p, byte[] client) {
        return switch (p.getIdentifierCase()) {
            case OR_IDS -> p.getOrIds().getIdsList().stream().anyMatch(x -> matches(x, client));
            case AND_IDS -> p.getAndIds().getIdsList().stream().allMatch(x -> matches(x, client));
            case NOT_ID -> !matches(p.getNotId(), client);
            case DIRECT_REMOTE_IP -> contains(p.getDirectRemoteIp(), client);
            default -> throw new AssertionError("unexpected principal " + p);
        };
    }

    private static boolean contains(CidrRange range, byte[] client) {
        return new Cidr(Cidr.parse(range.getAddressPrefix()).network(), range.getPrefixLen().getValue())
                .contains(client);
    }
}
