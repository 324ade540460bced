package io.marchproxy.dataplane.service;

import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.net.PortRange;

import java.util.Objects;

/**
 * One entry of a {@link ServiceTable}: traffic to {@code vip} over {@code protocol} on a port in {@code ports} belongs
 * to service {@code serviceIndex}.
 *
 * @param vip          the virtual IP clients connect to
 * @param protocol     TCP or UDP
 * @param ports        one port or an inclusive range
 * @param serviceIndex the service's index, {@code >= 0}
 */
public record ServiceBinding(IpAddress vip, L4Protocol protocol, PortRange ports, int serviceIndex)
{
    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public ServiceBinding
    {
        Objects.requireNonNull(vip, "vip");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(ports, "ports");
        if (serviceIndex < 0)
        {
            throw new IllegalArgumentException("serviceIndex must be >= 0: " + serviceIndex);
        }
    }

    @Override
    public String toString()
    {
        return protocol + " " + vip + ":" + ports + " -> service " + serviceIndex;
    }
}
