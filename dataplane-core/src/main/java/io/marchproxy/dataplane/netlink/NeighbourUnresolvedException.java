package io.marchproxy.dataplane.netlink;

import java.net.InetAddress;

/**
 * A neighbour did not get a link-layer address within the time asked: no host answered the kernel's ARP requests or
 * neighbour solicitations. {@link #lastState()} is what the table held at the deadline ({@code null}: no entry).
 */
public class NeighbourUnresolvedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** The neighbour's address. */
    private final InetAddress address;
    /** The interface's index. */
    private final int ifindex;
    private final transient NeighbourState lastState;

    /**
     * {@code address} on {@code ifindex} has no MAC; {@code lastState} is what the kernel last reported.
     *
     * @param message what happened
     * @param address the neighbour's address
     * @param ifindex the interface's index
     * @param lastState the entry's last state, or null when there was none
     */
    public NeighbourUnresolvedException(
        final String message, final InetAddress address, final int ifindex, final NeighbourState lastState)
    {
        super(message);
        this.address = address;
        this.ifindex = ifindex;
        this.lastState = lastState;
    }

    /** {@return the neighbour's address} */
    public InetAddress address()
    {
        return address;
    }

    /** {@return the interface's index} */
    public int ifindex()
    {
        return ifindex;
    }

    /** {@return the entry's state at the deadline, or {@code null} when the table had no entry} */
    public NeighbourState lastState()
    {
        return lastState;
    }
}
