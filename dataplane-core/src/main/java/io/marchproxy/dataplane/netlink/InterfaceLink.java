package io.marchproxy.dataplane.netlink;

/**
 * An interface as routing netlink reports it: index and name in its network namespace, its own MAC (the source MAC of
 * frames sent out of it; {@code null} for a device without a 6-byte link-layer address, such as a tun device) and its
 * MTU.
 *
 * @param ifindex the interface's index in its namespace
 * @param name its name
 * @param mac its MAC, or null
 * @param mtu its MTU
 */
public record InterfaceLink(int ifindex, String name, MacAddress mac, int mtu)
{
}
