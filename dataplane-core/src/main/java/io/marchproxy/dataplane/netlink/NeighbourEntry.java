package io.marchproxy.dataplane.netlink;

import java.net.InetAddress;

/**
 * One entry of the kernel's neighbour table: {@code address} (IPv4 or IPv6) on the interface {@code ifindex}, its
 * {@code state} and the link-layer address the kernel holds for it, {@code null} while it has none (INCOMPLETE,
 * FAILED, NONE). {@code flags} are the entry's NTF_* bits (e.g. NTF_ROUTER for an IPv6 router).
 *
 * @param ifindex the interface's index
 * @param address the neighbour's IPv4 or IPv6 address
 * @param state its state
 * @param mac its link-layer address, or null when the kernel holds none
 * @param flags {@code NTF_*} flags
 */
public record NeighbourEntry(int ifindex, InetAddress address, NeighbourState state, MacAddress mac, int flags)
{
    /**
     * {@return true when frames may be sent to {@link #mac()}: the state holds an address and the kernel reported one}
     */
    public boolean usable()
    {
        return state.hasLinkAddress() && mac != null;
    }
}
