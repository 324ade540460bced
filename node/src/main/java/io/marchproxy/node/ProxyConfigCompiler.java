package io.marchproxy.node;

import io.marchproxy.control.config.ResolvedConfig;
import io.marchproxy.control.model.PortSpec;
import io.marchproxy.dataplane.acl.AccessAction;
import io.marchproxy.dataplane.acl.AccessRule;
import io.marchproxy.dataplane.balance.Backend;
import io.marchproxy.dataplane.balance.BalancingAlgorithm;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.IpPrefix;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.net.PortRange;
import io.marchproxy.dataplane.proxy.HealthProbe;
import io.marchproxy.dataplane.proxy.ProxyConfig;
import io.marchproxy.dataplane.proxy.ProxyService;
import io.marchproxy.dataplane.qos.PriorityClass;
import io.marchproxy.dataplane.qos.ServiceQos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a cluster's resolved configuration into what the L4 proxy serves: its tcp and udp services whose address is
 * an IP literal (the VIP), their backends, and the cluster's mappings as access rules, with the same decision as
 * {@link io.marchproxy.control.config.AccessDecision} (first applicable mapping in priority order whose sources hold
 * the client; else deny when the cluster's default is deny or an allow mapping applies to that port, allow otherwise),
 * each service's QoS policy ({@link #qos}) and its offload switch (a service's {@code offload} false keeps its flows on
 * the Java path; absent, as from a control plane before the field, reads as on).
 *
 * <p>Keeps the dataplane's indexes stable across versions, as {@link ProxyService} requires: a service keeps its
 * index for as long as this compiler lives (ids of deleted services are never reused), and a backend keeps its
 * position in its service (a removed one stays as a disabled placeholder). Not thread-safe: one caller at a time.
 */
public final class ProxyConfigCompiler
{
    /** Lowest priority for the rules that close a port some allow mapping covers, after every mapping. */
    private static final int CLOSING_PRIORITY = Integer.MAX_VALUE;
    private static final List<IpPrefix> ANYONE = List.of(IpPrefix.parse("0.0.0.0/0"), IpPrefix.parse("::/0"));

    /** A compiled configuration and the services of the cluster it leaves out, with why. */
    public record Result(ProxyConfig config, List<String> leftOut)
    {
    }

    private final Map<String, Integer> serviceIndexes = new HashMap<>();
    private final Map<String, List<String>> backendPositions = new HashMap<>();
    private int nextIndex;

    public Result compile(final ResolvedConfig config)
    {
        final List<String> leftOut = new ArrayList<>();
        final List<ProxyService> services = new ArrayList<>();
        final Map<String, ResolvedConfig.ServiceEntry> l4 = new HashMap<>();
        if (config.settings().active())
        {
            for (final ResolvedConfig.ServiceEntry s : config.services())
            {
                final L4Protocol protocol = protocol(s.protocol());
                if (protocol == null)
                {
                    continue; // http and https are Envoy's
                }
                final IpAddress vip;
                try
                {
                    vip = IpAddress.parse(s.address());
                }
                catch (final IllegalArgumentException ex)
                {
                    leftOut.add(s.name() + ": address " + s.address() + " is not an IP address (a VIP must be)");
                    continue;
                }
                final int index = serviceIndexes.computeIfAbsent(s.id(), id -> nextIndex++);
                services.add(new ProxyService(index, s.name(), vip, protocol, new PortRange(s.port(), s.portEnd()),
                    algorithm(s.loadBalancing()), backends(s, vip, leftOut), probe(s),
                    "ip_hash".equals(s.loadBalancing()), qos(s.qos()), s.offloads()));
                l4.put(s.id(), s);
            }
        }
        return new Result(new ProxyConfig(config.version(), services, rules(config, l4),
            action(config.settings().defaultPolicy())), leftOut);
    }

    /** Backends by stable position; removed and unusable ones (names, other family) as disabled placeholders. */
    private List<Backend> backends(final ResolvedConfig.ServiceEntry s, final IpAddress vip, final List<String> leftOut)
    {
        final List<String> positions = backendPositions.computeIfAbsent(s.id(), id -> new ArrayList<>());
        final Map<String, Backend> current = new HashMap<>();
        for (final io.marchproxy.control.model.Backend b : s.backends())
        {
            final IpAddress address;
            try
            {
                address = IpAddress.parse(b.address());
            }
            catch (final IllegalArgumentException ex)
            {
                leftOut.add(s.name() + ": backend " + b.address() + " is not an IP address (the L4 proxy does not "
                    + "resolve names)");
                continue;
            }
            if (address.family() != vip.family())
            {
                leftOut.add(s.name() + ": backend " + b.address() + " is not of the VIP's address family");
                continue;
            }
            final String identity = address + "/" + b.port();
            if (!positions.contains(identity))
            {
                positions.add(identity);
            }
            current.put(identity, new Backend(address, b.port(), Math.max(1, b.weight()), b.enabled()));
        }
        final List<Backend> out = new ArrayList<>(positions.size());
        for (final String identity : positions)
        {
            final Backend b = current.get(identity);
            if (b != null)
            {
                out.add(b);
            }
            else
            {
                final int slash = identity.lastIndexOf('/');
                out.add(new Backend(IpAddress.parse(identity.substring(0, slash)),
                    Integer.parseInt(identity.substring(slash + 1)), 1, false));
            }
        }
        return out;
    }

    /**
     * The mappings as rules in their order, then, when the cluster's default is allow, a closing deny for each port an
     * allow mapping covers on a service (AccessDecision's fallback); the policy's default is the cluster's.
     */
    private List<AccessRule> rules(final ResolvedConfig config, final Map<String, ResolvedConfig.ServiceEntry> l4)
    {
        final List<AccessRule> rules = new ArrayList<>();
        final List<AccessRule> closing = new ArrayList<>();
        int priority = 0;
        for (final ResolvedConfig.MappingEntry m : config.mappings())
        {
            final Set<L4Protocol> protocols = new LinkedHashSet<>();
            for (final String p : m.protocols())
            {
                final L4Protocol l = protocol(p);
                if (l != null)
                {
                    protocols.add(l);
                }
            }
            final Set<Integer> services = new LinkedHashSet<>();
            for (final String id : m.destinationServiceIds())
            {
                final ResolvedConfig.ServiceEntry s = l4.get(id);
                if (s != null && protocols.contains(protocol(s.protocol())))
                {
                    services.add(serviceIndexes.get(id));
                }
            }
            final List<PortRange> ports = new ArrayList<>();
            for (final PortSpec.Range r : m.ports())
            {
                ports.add(new PortRange(r.from(), r.to()));
            }
            if (services.isEmpty() || protocols.isEmpty() || ports.isEmpty())
            {
                continue;
            }
            final List<IpPrefix> sources = new ArrayList<>();
            for (final String cidr : m.sourcePrefixes())
            {
                sources.add(IpPrefix.parse(cidr));
            }
            if (!sources.isEmpty())
            {
                rules.add(new AccessRule(priority++, action(m.action()), sources, services, protocols, ports));
            }
            if (m.action() == io.marchproxy.control.model.AccessAction.ALLOW)
            {
                closing.add(new AccessRule(CLOSING_PRIORITY, AccessAction.DENY, ANYONE, services, protocols, ports));
            }
        }
        if (config.settings().defaultPolicy() == io.marchproxy.control.model.AccessAction.ALLOW)
        {
            rules.addAll(closing);
        }
        return rules;
    }

    private static L4Protocol protocol(final String p)
    {
        return switch (p)
        {
            case "tcp" -> L4Protocol.TCP;
            case "udp" -> L4Protocol.UDP;
            default -> null;
        };
    }

    /**
     * The service's {@code loadBalancing}: round_robin, weighted (smooth weighted round robin), least_connections,
     * maglev (consistent hashing of the 5-tuple with a Maglev table: a flow's tuple keeps its backend when others come
     * or go) and ip_hash (the same on the client's address alone, so a client stays with one backend).
     */
    static BalancingAlgorithm algorithm(final String loadBalancing)
    {
        return switch (loadBalancing)
        {
            case "weighted" -> BalancingAlgorithm.WEIGHTED_ROUND_ROBIN;
            case "least_connections" -> BalancingAlgorithm.LEAST_CONNECTIONS;
            case "ip_hash", "maglev" -> BalancingAlgorithm.MAGLEV;
            default -> BalancingAlgorithm.ROUND_ROBIN;
        };
    }

    /**
     * The model's health check as a probe: every {@code intervalSeconds}, a TCP connect for tcp services (the path is
     * Envoy's; an L4 backend need not speak HTTP) or a one-byte datagram that must not draw a port unreachable for udp
     * ones; two failures in a row take a backend out.
     */
    private static HealthProbe probe(final ResolvedConfig.ServiceEntry s)
    {
        if (s.healthCheck() == null)
        {
            return null;
        }
        final Duration interval = Duration.ofSeconds(Math.max(1, s.healthCheck().intervalSeconds()));
        final Duration timeout = interval.compareTo(Duration.ofSeconds(2)) < 0 ? interval : Duration.ofSeconds(2);
        return new HealthProbe(interval, timeout, null, 2);
    }

    /**
     * The REST model's QoS policy as the dataplane applies it: {@code ingressMbps} limits what clients send to the
     * service, {@code egressMbps} what it sends back (0: unlimited), with {@code burstKb} as the bucket size of each
     * (0: 10 ms of the rate); {@code priority} picks the class; {@code dscp} marks the service's packets, 0 (the
     * model's default) meaning the class's DSCP; {@code maxLatencyMs} bounds the wait in the node, 0 meaning the
     * class's bound. The model's per-service {@code weight} is not used by the L4 proxy: the classes are weighted by
     * the node's settings ({@code dataplane.qos.p0.weight} ...) and the services of one class share its queue in
     * arrival order.
     */
    static ServiceQos qos(final ResolvedConfig.Qos q)
    {
        if (q == null)
        {
            return null;
        }
        return new ServiceQos(q.ingressMbps() * 1_000_000L, q.egressMbps() * 1_000_000L, q.burstKb() * 1024,
            PriorityClass.parse(q.priority()), q.dscp() == 0 ? -1 : q.dscp(),
            q.maxLatencyMs() == 0 ? null : Duration.ofMillis(q.maxLatencyMs()));
    }

    private static AccessAction action(final io.marchproxy.control.model.AccessAction a)
    {
        return a == io.marchproxy.control.model.AccessAction.DENY ? AccessAction.DENY : AccessAction.ALLOW;
    }
}
