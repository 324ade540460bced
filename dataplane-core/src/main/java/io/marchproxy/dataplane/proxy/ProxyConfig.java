package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.acl.AccessAction;
import io.marchproxy.dataplane.acl.AccessRule;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the proxy serves, as one immutable version: services, access rules (their service sets name
 * {@link ProxyService#index() service indexes}) and the action for a flow no rule matches. {@link L4Proxy#apply}
 * swaps a whole configuration in; no packet sees half of one.
 *
 * @param version the configuration's version, increasing
 * @param services the services, by index
 * @param rules the access rules
 * @param defaultAction the action for flows no rule matches
 */
public record ProxyConfig(long version, List<ProxyService> services, List<AccessRule> rules, AccessAction defaultAction)
{
    public static final ProxyConfig EMPTY = new ProxyConfig(0, List.of(), List.of(), AccessAction.DENY);

    /** Copies the lists. */
    public ProxyConfig
    {
        services = List.copyOf(services);
        rules = List.copyOf(rules);
        Objects.requireNonNull(defaultAction, "defaultAction");
        final Set<Integer> indexes = new HashSet<>();
        for (final ProxyService s : services)
        {
            if (!indexes.add(s.index()))
            {
                throw new IllegalArgumentException("two services with index " + s.index());
            }
        }
    }
}
