package io.marchproxy.dataplane.acl;

import io.marchproxy.dataplane.net.IpPrefix;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.net.PortRange;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One access rule. A flow matches when its source address lies in one of {@code sources}, its service is one of
 * {@code services}, its protocol one of {@code protocols} and its destination port in one of {@code ports}. Every set
 * must be non-empty: "any source" is {@code 0.0.0.0/0} and {@code ::/0}, "any port" {@link PortRange#ALL}.
 *
 * @param priority  lower numbers are evaluated first; rules of equal priority in list order
 * @param action    allow or deny
 * @param sources   source prefixes, IPv4 and IPv6 mixed as needed
 * @param services  service indexes the rule applies to
 * @param protocols TCP, UDP or both
 * @param ports     destination port ranges
 */
public record AccessRule(
    int priority,
    AccessAction action,
    List<IpPrefix> sources,
    Set<Integer> services,
    Set<L4Protocol> protocols,
    List<PortRange> ports)
{
    /**
     * Copies the lists and sets.
     *
     * @throws IllegalArgumentException when one is empty or a service index is negative
     */
    public AccessRule
    {
        Objects.requireNonNull(action, "action");
        sources = List.copyOf(sources);
        services = Set.copyOf(services);
        protocols = Set.copyOf(protocols);
        ports = List.copyOf(ports);
        if (sources.isEmpty() || services.isEmpty() || protocols.isEmpty() || ports.isEmpty())
        {
            throw new IllegalArgumentException("sources, services, protocols and ports must each be non-empty");
        }
        for (final Integer service : services)
        {
            if (service < 0)
            {
                throw new IllegalArgumentException("service indexes are >= 0: " + service);
            }
        }
    }

    /**
     * {@return true when this rule matches the flow (the plain definition, for reference and tests)}
     *
     * @param service the service's index
     * @param family the source's address family
     * @param hi the source address' high 64 bits (IPv4: 0)
     * @param lo its low 64 bits (IPv4: the address)
     * @param protocol the IP protocol
     * @param port the destination port
     */
    public boolean matches(
        final int service, final int family, final long hi, final long lo, final int protocol, final int port)
    {
        final L4Protocol l4 = L4Protocol.ofNumber(protocol);
        if (l4 == null || !protocols.contains(l4) || !services.contains(service))
        {
            return false;
        }
        return containsSource(family, hi, lo) && containsPort(port);
    }

    /**
     * {@return true when one of the sources contains the address}
     *
     * @param family the address' family
     * @param hi its high 64 bits (IPv4: 0)
     * @param lo its low 64 bits (IPv4: the address)
     */
    public boolean containsSource(final int family, final long hi, final long lo)
    {
        for (int i = 0; i < sources.size(); i++)
        {
            if (sources.get(i).contains(family, hi, lo))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * {@return true when one of the sources contains every address of {@code prefix}}
     *
     * @param prefix a prefix
     */
    public boolean containsSource(final IpPrefix prefix)
    {
        for (int i = 0; i < sources.size(); i++)
        {
            if (sources.get(i).contains(prefix))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * {@return true when one of the port ranges contains {@code port}}
     *
     * @param port a destination port
     */
    public boolean containsPort(final int port)
    {
        for (int i = 0; i < ports.size(); i++)
        {
            if (ports.get(i).contains(port))
            {
                return true;
            }
        }
        return false;
    }
}
