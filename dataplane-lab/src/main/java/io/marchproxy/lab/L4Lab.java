package io.marchproxy.lab;

import io.marchproxy.dataplane.netlink.MacAddress;
import io.marchproxy.dataplane.netns.HostCommand;
import io.marchproxy.dataplane.netns.Interfaces;
import io.marchproxy.dataplane.netns.NetNamespace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The lab of the L4 proxy: clients reach service VIPs through a node that has exactly two interfaces, {@link #front()}
 * toward the clients and {@link #back()} toward the backends, each side a bridge in a small switch namespace:
 *
 * <pre>
 *  client1 eth0 --+                                              +-- eth0 backend1
 *  client2 eth0 --+-- br0 [front switch] -- front [node] back -- br0 [back switch] --+-- eth0 backend2
 *                                                                                   +-- eth0 backendN
 * </pre>
 *
 * <p>Address plan (private ranges the host does not use; every host has IPv4 and IPv6):
 * <ul>
 *   <li>front link {@value #FRONT_IPV4} and {@value #FRONT_IPV6}: node {@code 10.213.0.1}/{@code fd00:213::1},
 *       client i {@code 10.213.0.(10+i)}/{@code fd00:213::(10+i)};</li>
 *   <li>back link {@value #BACK_IPV4} and {@value #BACK_IPV6}: node {@code 10.214.0.1}/{@code fd00:214::1},
 *       backend i {@code 10.214.0.(10+i)}/{@code fd00:214::(10+i)};</li>
 *   <li>service VIPs {@value #VIP_IPV4} and {@value #VIP_IPV6} ({@link #vip4}, {@link #vip6}), assigned nowhere:
 *       clients route them, and the back link, via the node's front address; backends' default routes point at the
 *       node's back address.</li>
 * </ul>
 * MACs are fixed ({@code 02:4c:34:SIDE:00:HOST}), but no neighbour entry is: the kernels resolve each other with
 * ARP and NDP, as a proxy must learn them from the kernel. Clients and backends compute checksums in software (TX
 * checksum offload off), so every frame on the wire carries a complete checksum, as a user-space NAT that rewrites
 * them incrementally needs; the switch ports facing the node have GRO on: a frame an XDP program redirects out of one
 * of the node's veths (flow offload sends established flows' frames from front to back and back to front that way)
 * reaches the veth's peer only when the peer runs NAPI, which GRO on (or an XDP program) turns on; without it the
 * kernel drops such frames silently.
 *
 * <p>Everything lives in the lab's namespaces; {@link #close()} stops the servers started through the lab and deletes
 * them. A JVM shutdown hook closes labs left open, and namespaces of labs whose process died are swept when the next
 * lab is created.
 */
public final class L4Lab implements AutoCloseable
{
    public static final String FRONT_IPV4 = "10.213.0.0/24";
    public static final String FRONT_IPV6 = "fd00:213::/64";
    public static final String BACK_IPV4 = "10.214.0.0/24";
    public static final String BACK_IPV6 = "fd00:214::/64";
    public static final String VIP_IPV4 = "10.215.0.0/24";
    public static final String VIP_IPV6 = "fd00:215::/64";
    /** The most clients, and the most backends, a lab has: host addresses stay below .255. */
    public static final int MAX_HOSTS = 100;

    private static final String PREFIX = "mpl4-";
    private static final Pattern OWNED = Pattern.compile(PREFIX + "(\\d+)-\\d+-[a-z0-9]+");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final String BRIDGE = "br0";
    private static final String HOST_LINK = "eth0";
    private static final int FRONT_SIDE = 1;
    private static final int BACK_SIDE = 2;
    private static final int NODE_HOST = 1;
    private static final int FIRST_HOST = 10;
    private static final String ACCECN_SEGMENTATION = "tx-tcp-accecn-segmentation";

    private final String base;
    private final List<NetNamespace> namespaces = new ArrayList<>();
    private final List<AutoCloseable> attachments = Collections.synchronizedList(new ArrayList<>());
    private final List<LabHost> clients = new ArrayList<>();
    private final List<LabHost> backends = new ArrayList<>();
    private NetNamespace frontSwitch;
    private NetNamespace backSwitch;
    private NetNamespace node;
    private LabInterface front;
    private LabInterface back;

    private L4Lab(final String base)
    {
        this.base = base;
    }

    /** Builds a lab with {@code clients} clients and {@code backends} backends (each 1 to {@value #MAX_HOSTS}). */
    public static L4Lab create(final int clients, final int backends)
    {
        if (clients < 1 || clients > MAX_HOSTS || backends < 1 || backends > MAX_HOSTS)
        {
            throw new IllegalArgumentException("a lab has 1.." + MAX_HOSTS + " clients and 1.." + MAX_HOSTS +
                " backends, not " + clients + " and " + backends);
        }
        LabNamespaces.sweepStale(OWNED);
        final L4Lab lab = new L4Lab(PREFIX + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet());
        LabNamespaces.closeOnExit(lab);
        try
        {
            lab.build(clients, backends);
            return lab;
        }
        catch (final RuntimeException ex)
        {
            lab.close();
            throw ex;
        }
    }

    private void build(final int clientCount, final int backendCount)
    {
        frontSwitch = switchNamespace("front");
        backSwitch = switchNamespace("back");
        node = namespace("node");
        front = link(node, "front", frontSwitch, "node", FRONT_SIDE, NODE_HOST, "10.213.0.1", "fd00:213::1");
        back = link(node, "back", backSwitch, "node", BACK_SIDE, NODE_HOST, "10.214.0.1", "fd00:214::1");
        for (int i = 1; i <= clientCount; i++)
        {
            final String name = "client" + i;
            final LabInterface link = link(namespace(name), HOST_LINK, frontSwitch, name, FRONT_SIDE, FIRST_HOST + i,
                "10.213.0." + (FIRST_HOST + i), "fd00:213::" + (FIRST_HOST + i));
            endpoint(link);
            route(link, VIP_IPV4, front.ipv4());
            route(link, BACK_IPV4, front.ipv4());
            route(link, VIP_IPV6, front.ipv6());
            route(link, BACK_IPV6, front.ipv6());
            clients.add(new LabHost(name, link.namespace(), link));
        }
        for (int i = 1; i <= backendCount; i++)
        {
            final String name = "backend" + i;
            final LabInterface link = link(namespace(name), HOST_LINK, backSwitch, name, BACK_SIDE, FIRST_HOST + i,
                "10.214.0." + (FIRST_HOST + i), "fd00:214::" + (FIRST_HOST + i));
            endpoint(link);
            route(link, "default", back.ipv4());
            route(link, "default", back.ipv6());
            backends.add(new LabHost(name, link.namespace(), link));
        }
    }

    private NetNamespace namespace(final String role)
    {
        final NetNamespace ns = NetNamespace.create(base + "-" + role);
        namespaces.add(ns);
        return ns;
    }

    /** A namespace with a bridge and no addresses: IPv6 off, so the switch itself sends nothing. */
    private NetNamespace switchNamespace(final String side)
    {
        final NetNamespace ns = namespace(side);
        sysctl(ns, "net/ipv6/conf/all/disable_ipv6", "1");
        sysctl(ns, "net/ipv6/conf/default/disable_ipv6", "1");
        // No snooping: a bridge that has seen no MLD querier must still flood neighbour solicitations everywhere.
        HostCommand.run("ip", "-n", ns.name(), "link", "add", BRIDGE, "type", "bridge", "mcast_snooping", "0");
        // A switch, not a firewall: bridged frames skip iptables (br_netfilter would also validate IPv4 headers and
        // drop the malformed frames the proxy's tests send, and cost every lab frame a hook traversal).
        for (final String family : new String[]{"iptables", "ip6tables", "arptables"})
        {
            sysctl(ns, "net/bridge/bridge-nf-call-" + family, "0");
        }
        HostCommand.run("ip", "-n", ns.name(), "link", "set", BRIDGE, "up");
        return ns;
    }

    /** A veth from {@code host} (interface {@code name}) to a port of the switch, addressed and up. */
    private LabInterface link(
        final NetNamespace host, final String name, final NetNamespace switchNs, final String port, final int side,
        final int hostNumber, final String ipv4, final String ipv6)
    {
        final MacAddress mac = new MacAddress(0x02_4c_34_00_00_00L | (long)side << 16 | hostNumber);
        final MacAddress portMac = new MacAddress(mac.bits() | 1L << 8);
        HostCommand.run("ip", "-n", host.name(), "link", "add", name, "address", mac.toString(), "type", "veth",
            "peer", "name", port, "address", portMac.toString(), "netns", switchNs.name());
        HostCommand.run("ip", "-n", switchNs.name(), "link", "set", port, "master", BRIDGE, "up");
        HostCommand.run("ip", "-n", host.name(), "addr", "add", ipv4 + "/24", "dev", name);
        // nodad: the address is usable at once, not tentative for a second while duplicate detection runs.
        HostCommand.run("ip", "-n", host.name(), "addr", "add", ipv6 + "/64", "dev", name, "nodad");
        HostCommand.run("ip", "-n", host.name(), "link", "set", name, "up");
        if (hostNumber == NODE_HOST)
        {
            // Frames XDP redirects out of the node's veth (offloaded flows) arrive only at a peer running NAPI: GRO on
            // turns that on (see the class comment).
            switchNs.exec("ethtool", "-K", port, "gro", "on");
        }
        final int[] ifindex = new int[1];
        host.run(() -> ifindex[0] = Interfaces.index(name));
        return new LabInterface(host, name, ifindex[0], mac, (Inet4Address)address(ipv4), (Inet6Address)address(ipv6));
    }

    /**
     * A client or backend link: checksums complete on the wire (a veth would leave them to an offload that is not
     * there) and TCP segmented in software before the link, so the node sees frames of at most the MTU.
     */
    private static void endpoint(final LabInterface link)
    {
        link.namespace().exec("ethtool", "-K", link.name(), "tx", "off");
        // Newer kernels (6.18) keep AccECN segmentation on when checksum offload goes off; older ones lack the feature.
        if (link.namespace().exec("ethtool", "-k", link.name()).contains(ACCECN_SEGMENTATION + ": on"))
        {
            link.namespace().exec("ethtool", "-K", link.name(), ACCECN_SEGMENTATION, "off");
        }
    }

    private static void route(final LabInterface link, final String prefix, final InetAddress via)
    {
        HostCommand.run("ip", "-n", link.namespace().name(), via instanceof Inet6Address ? "-6" : "-4", "route", "add",
            prefix, "via", via.getHostAddress(), "dev", link.name());
    }

    /** Writes a sysctl of {@code ns}'s network stack ({@code key} under /proc/sys, with slashes). */
    static void sysctl(final NetNamespace ns, final String key, final String value)
    {
        // /proc/sys/net is the network namespace of the thread that opens it.
        ns.run(() ->
        {
            try
            {
                Files.writeString(Path.of("/proc/sys", key), value);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("sysctl " + key + "=" + value + " in " + ns.name(), ex);
            }
        });
    }

    static InetAddress address(final String literal)
    {
        try
        {
            return InetAddress.getByName(literal);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException("not an IP address literal: " + literal, ex);
        }
    }

    /** Service VIP number {@code n} (1..254) of the IPv4 range: {@code 10.215.0.n}. */
    public static Inet4Address vip4(final int n)
    {
        return (Inet4Address)address("10.215.0." + vipNumber(n));
    }

    /** Service VIP number {@code n} (1..254) of the IPv6 range: {@code fd00:215::n} (n in hex). */
    public static Inet6Address vip6(final int n)
    {
        return (Inet6Address)address("fd00:215::" + Integer.toHexString(vipNumber(n)));
    }

    private static int vipNumber(final int n)
    {
        if (n < 1 || n > 254)
        {
            throw new IllegalArgumentException("VIP numbers are 1..254, not " + n);
        }
        return n;
    }

    /** The node's namespace, where the proxy (or the kernel NAT path) runs. */
    public NetNamespace node()
    {
        return node;
    }

    /** The node's interface toward the clients. */
    public LabInterface front()
    {
        return front;
    }

    /** The node's interface toward the backends. */
    public LabInterface back()
    {
        return back;
    }

    public List<LabHost> clients()
    {
        return List.copyOf(clients);
    }

    public List<LabHost> backends()
    {
        return List.copyOf(backends);
    }

    /** The namespace of the clients' bridge (e.g. for tcpdump on its ports). */
    public NetNamespace frontSwitch()
    {
        return frontSwitch;
    }

    /** The namespace of the backends' bridge. */
    public NetNamespace backSwitch()
    {
        return backSwitch;
    }

    /** Every namespace of the lab, in the order they were created. */
    public List<NetNamespace> namespaces()
    {
        return List.copyOf(namespaces);
    }

    /**
     * The kernel's own L4 path on the node: forwarding on, nftables DNAT of each service to the backends round robin
     * and masquerade to the back address. Removed by closing the result (also done by {@link #close()}, with the
     * namespaces).
     */
    public KernelNat installKernelNat(final List<LabService> services)
    {
        return KernelNat.install(this, services);
    }

    /**
     * Starts a {@link LabServer} on {@code port} on every backend; they stop when the lab closes (or when closed
     * earlier).
     */
    public List<LabServer> startServers(final Transport transport, final int port, final ServerReply reply)
    {
        final List<LabServer> servers = new ArrayList<>();
        for (final LabHost backend : backends)
        {
            final LabServer server = LabServer.start(backend, transport, port, reply);
            attachments.add(server);
            servers.add(server);
        }
        return servers;
    }

    /** Stops the servers started through the lab, then deletes its namespaces (and so every link). Idempotent. */
    @Override
    public void close()
    {
        if (!LabNamespaces.release(this))
        {
            return;
        }
        RuntimeException failure = null;
        synchronized (attachments)
        {
            for (final AutoCloseable attachment : attachments.reversed())
            {
                try
                {
                    attachment.close();
                }
                catch (final Exception ex)
                {
                    failure = failure == null ? new IllegalStateException("closing lab " + base, ex) : failure;
                }
            }
        }
        for (final NetNamespace ns : namespaces.reversed())
        {
            try
            {
                ns.close();
            }
            catch (final RuntimeException ex)
            {
                failure = failure == null ? ex : failure;
            }
        }
        if (failure != null)
        {
            throw failure;
        }
    }
}
