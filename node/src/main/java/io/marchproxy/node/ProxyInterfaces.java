package io.marchproxy.node;

import io.marchproxy.dataplane.bpf.XdpMode;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.PortRange;
import io.marchproxy.dataplane.netns.NetNamespace;
import io.marchproxy.dataplane.proxy.ProxySettings;
import io.marchproxy.lab.L4Lab;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/**
 * The two existing interfaces an L4 proxy runs on (a node's or an agent's {@code --front}/{@code --back}, in
 * {@code --netns} or the process's own namespace) and the proxy settings they give: the back interface's first IPv4
 * and first global IPv6 address are the SNAT sources.
 *
 * @param netns the namespace both interfaces are in, or null for the process's
 */
public record ProxyInterfaces(String front, String back, String netns, XdpMode mode, PortRange snatPorts)
{
    /** The namespace to run the proxy in, or null for the process's. */
    public NetNamespace namespace()
    {
        return netns == null ? null : NetNamespace.existing(netns);
    }

    /** The proxy's settings, with the back interface's addresses (read in {@code ns}) as SNAT sources. */
    public ProxySettings settings(final NetNamespace ns) throws Exception
    {
        final InetAddress[] snat = ns == null ? addresses(back) : ns.call(() -> addresses(back));
        return ProxySettings.of(front, back, snat[0] == null ? null : IpAddress.of(snat[0]),
            snat[1] == null ? null : IpAddress.of(snat[1])).withMode(mode).withSnatPorts(snatPorts);
    }

    /** The front interface's first IPv4 address (else its first global IPv6), read in {@code ns}: where clients go. */
    public String frontAddress(final NetNamespace ns) throws Exception
    {
        final InetAddress[] a = ns == null ? addresses(front) : ns.call(() -> addresses(front));
        return (a[0] != null ? a[0] : a[1]).getHostAddress();
    }

    /** A proxy on the lab's node interfaces: SNAT from the back link's addresses. */
    public static ProxySettings lab(final L4Lab lab, final XdpMode mode, final PortRange snatPorts)
    {
        return ProxySettings.of(lab.front().name(), lab.back().name(), IpAddress.of(lab.back().ipv4()),
            IpAddress.of(lab.back().ipv6())).withMode(mode).withSnatPorts(snatPorts);
    }

    /** An interface's first IPv4 and first global IPv6 address (either may be null, not both). */
    private static InetAddress[] addresses(final String name) throws SocketException
    {
        final NetworkInterface nif = NetworkInterface.getByName(name);
        if (nif == null)
        {
            throw new IllegalArgumentException("no interface " + name + " (ip link shows them)");
        }
        InetAddress v4 = null;
        InetAddress v6 = null;
        for (final InetAddress a : Collections.list(nif.getInetAddresses()))
        {
            if (a instanceof Inet4Address && v4 == null)
            {
                v4 = a;
            }
            else if (a instanceof Inet6Address && !a.isLinkLocalAddress() && v6 == null)
            {
                v6 = a;
            }
        }
        if (v4 == null && v6 == null)
        {
            throw new IllegalArgumentException(name + " has no address to take SNAT source addresses from");
        }
        return new InetAddress[]{v4, v6};
    }
}
