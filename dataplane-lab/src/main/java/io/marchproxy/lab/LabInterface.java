package io.marchproxy.lab;

import io.marchproxy.dataplane.netlink.MacAddress;
import io.marchproxy.dataplane.netns.NetNamespace;

import java.net.Inet4Address;
import java.net.Inet6Address;

/**
 * One interface of an {@link L4Lab} host: its namespace, name and index there, MAC and its IPv4 (/24) and IPv6 (/64)
 * addresses.
 */
public record LabInterface(
    NetNamespace namespace, String name, int ifindex, MacAddress mac, Inet4Address ipv4, Inet6Address ipv6)
{
}
