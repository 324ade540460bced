package io.marchproxy.dataplane.netlink;

import java.net.InetAddress;

/**
 * A neighbour did not get a link-layer address within the time asked: no host answered the kernel's ARP requests or
 * neighbour solicitations. {@link #lastState()} is what the table held at the deadline ({@code null}: no entry).
 */
public class NeighbourUnresolvedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final InetAddress address;
    private final int ifindex;
    private final transient NeighbourState lastState;

    public NeighbourUnresolvedException(
        final String message, final InetAddress address, final int ifindex, final NeighbourState lastState)
    {
        super(message);
        this.address = address;
        this.ifindex = ifindex;
        this.lastState = lastState;
    }

    public InetAddress address()
    {
        return address;
    }

    public int ifindex()
    {
        return ifindex;
    }

    /** The entry's state at the deadline, or {@code null} when the table had no entry. */
    public NeighbourState lastState()
    {
        return lastState;
    }
}
