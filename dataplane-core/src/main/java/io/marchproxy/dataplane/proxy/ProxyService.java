package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.balance.Backend;
import io.marchproxy.dataplane.balance.BalancingAlgorithm;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.net.PortRange;
import io.marchproxy.dataplane.qos.ServiceQos;

import java.util.List;
import java.util.Objects;

/**
 * One L4 service as the proxy serves it: clients reach {@code vip} on {@code ports} over {@code protocol}; new flows go
 * to one of {@code backends}, picked by {@code algorithm}.
 *
 * @param index     the service's number in access rules, flow records and the XDP maps: keep it stable for the
 *                  life of the service, across configurations, and never give it to another service
 * @param name      for statistics and logs
 * @param backends  by stable position: a flow keeps the index of its backend, so a backend keeps its position for
 *                  life; a removed one stays as a disabled entry ({@link Backend#enabled()} false) until its flows
 *                  are gone, or for good
 * @param probe     how backends are checked, or null for never (always healthy)
 * @param clientAffinity consistent hashing on the client's address alone (every flow of a client to one backend),
 *                  rather than on the whole 5-tuple; only {@link BalancingAlgorithm#MAGLEV} looks at it
 * @param qos       its rates, priority class and DSCP, or null for none (the default class, no limit, unmarked)
 * @param offload   whether the service's flows are offloaded to the XDP program once the proxy has decided them (a
 *                  TCP flow when established, a UDP flow after a few frames): their frames are then
 *                  rewritten and forwarded in the kernel without a copy into user space, counted per flow there and
 *                  read back for the statistics. On by default: the XDP program does exactly what the Java path does
 *                  to an established flow's frames (same rewrite, checksums, TTL, MACs; SYN, FIN and RST still go
 *                  through Java, which ends flows), at a fraction of the cost per packet. A service with a
 *                  {@code qos} policy is never offloaded while the proxy's QoS is on (the Java path's egress shapes,
 *                  queues and marks its frames; the XDP program cannot). Turn it off for a service whose every
 *                  frame user space must see (a flow under inspection). Offloaded frames of services without a policy
 *                  leave without passing the Java egress's priority queues.
 *
 * @param vip the address clients reach the service on
 * @param protocol TCP or UDP
 * @param ports the ports of the service
 * @param algorithm how a new flow's backend is picked
 */
public record ProxyService(
    int index,
    String name,
    IpAddress vip,
    L4Protocol protocol,
    PortRange ports,
    BalancingAlgorithm algorithm,
    List<Backend> backends,
    HealthProbe probe,
    boolean clientAffinity,
    ServiceQos qos,
    boolean offload)
{
    /**
     * Checks the components and copies the backends.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public ProxyService
    {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(vip, "vip");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(ports, "ports");
        Objects.requireNonNull(algorithm, "algorithm");
        backends = List.copyOf(backends);
        if (index < 0)
        {
            throw new IllegalArgumentException("service index must be >= 0: " + index);
        }
        if (ports.first() < 1)
        {
            throw new IllegalArgumentException("service ports must be within 1..65535: " + ports);
        }
        for (final Backend b : backends)
        {
            if (b.address().family() != vip.family())
            {
                throw new IllegalArgumentException("service " + name + ": backend " + b.address()
                    + " is not of the VIP's address family (the proxy does not translate between families)");
            }
        }
    }

    /**
     * A service without a QoS policy.
     *
     * @param index          the service's index in its configuration
     * @param name           its name
     * @param vip            the address clients reach it on
     * @param protocol       TCP or UDP
     * @param ports          its ports
     * @param algorithm      how a new flow's backend is picked
     * @param backends       its backends
     * @param probe          how backends are checked, or null for never
     * @param clientAffinity consistent hashing on the client's address alone
     */
    public ProxyService(
        final int index, final String name, final IpAddress vip, final L4Protocol protocol, final PortRange ports,
        final BalancingAlgorithm algorithm, final List<Backend> backends, final HealthProbe probe,
        final boolean clientAffinity)
    {
        this(index, name, vip, protocol, ports, algorithm, backends, probe, clientAffinity, null, true);
    }

    /**
     * A service with {@code qos} as its QoS policy, whose flows are offloaded unless QoS forbids.
     *
     * @param index          the service's index in its configuration
     * @param name           its name
     * @param vip            the address clients reach it on
     * @param protocol       TCP or UDP
     * @param ports          its ports
     * @param algorithm      how a new flow's backend is picked
     * @param backends       its backends
     * @param probe          how backends are checked, or null for never
     * @param clientAffinity consistent hashing on the client's address alone
     * @param qos            its QoS policy, or null for none
     */
    public ProxyService(
        final int index, final String name, final IpAddress vip, final L4Protocol protocol, final PortRange ports,
        final BalancingAlgorithm algorithm, final List<Backend> backends, final HealthProbe probe,
        final boolean clientAffinity, final ServiceQos qos)
    {
        this(index, name, vip, protocol, ports, algorithm, backends, probe, clientAffinity, qos, true);
    }

    /**
     * A service without a QoS policy, its flows offloaded as {@code offload} says.
     *
     * @param index          the service's index in its configuration
     * @param name           its name
     * @param vip            the address clients reach it on
     * @param protocol       TCP or UDP
     * @param ports          its ports
     * @param algorithm      how a new flow's backend is picked
     * @param backends       its backends
     * @param probe          how backends are checked, or null for never
     * @param clientAffinity consistent hashing on the client's address alone
     * @param offload        whether its flows are offloaded to the XDP program
     */
    public ProxyService(
        final int index, final String name, final IpAddress vip, final L4Protocol protocol, final PortRange ports,
        final BalancingAlgorithm algorithm, final List<Backend> backends, final HealthProbe probe,
        final boolean clientAffinity, final boolean offload)
    {
        this(index, name, vip, protocol, ports, algorithm, backends, probe, clientAffinity, null, offload);
    }

    /**
     * {@return this service with offload on or off}
     *
     * @param on whether its flows are offloaded
     */
    public ProxyService withOffload(final boolean on)
    {
        return new ProxyService(index, name, vip, protocol, ports, algorithm, backends, probe, clientAffinity, qos, on);
    }

    /**
     * {@return this service with {@code policy} as its QoS policy}
     *
     * @param policy the policy, or null for none
     */
    public ProxyService withQos(final ServiceQos policy)
    {
        return new ProxyService(index, name, vip, protocol, ports, algorithm, backends, probe, clientAffinity, policy,
            offload);
    }
}
