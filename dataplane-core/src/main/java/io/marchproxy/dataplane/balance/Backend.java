package io.marchproxy.dataplane.balance;

import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.TupleHash;

import java.util.Objects;

/**
 * A backend of a service as the control plane configures it.
 *
 * @param address where flows are sent (DNAT destination)
 * @param port    the destination port on the backend, 1..65535
 * @param weight  relative share of new flows, 0..{@link #MAX_WEIGHT}; 0 takes no new flows
 * @param enabled false: configured but administratively out of rotation
 */
public record Backend(IpAddress address, int port, int weight, boolean enabled)
{
    /** The largest weight: keeps weighted sums of many backends far from overflow. */
    public static final int MAX_WEIGHT = 1_000_000;

    /**
     * Checks the port and the weight.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public Backend
    {
        Objects.requireNonNull(address, "address");
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException("port must be 1..65535: " + port);
        }
        if (weight < 0 || weight > MAX_WEIGHT)
        {
            throw new IllegalArgumentException("weight must be 0.." + MAX_WEIGHT + ": " + weight);
        }
    }

    /**
     * {@return an enabled backend of weight 1}
     *
     * @param address the backend's address literal
     * @param port its port
     */
    public static Backend of(final String address, final int port)
    {
        return new Backend(IpAddress.parse(address), port, 1, true);
    }

    /**
     * A hash of the backend's identity (address and port, not its position in a list), so that a Maglev table keeps
     * a backend's slots when others come or go, and every node computes the same table.
     *
     * @return the hash
     */
    public long identityHash()
    {
        return TupleHash.hash(address.hi(), address.lo(), ((long)address.family() << 16) | port);
    }
}
