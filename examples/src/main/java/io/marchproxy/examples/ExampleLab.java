package io.marchproxy.examples;

import io.marchproxy.dataplane.netlink.MacAddress;
import io.marchproxy.dataplane.netns.HostCommand;
import io.marchproxy.dataplane.netns.NetNamespace;

/**
 * The network the examples run on, made with the library's namespace calls: a client, a node and a backend, each a
 * network namespace, joined by two veth pairs. The node's {@code front} faces the client, its {@code back} the
 * backend; the client routes the VIPs and the backend network through the node.
 *
 * <pre>
 *   client [eth0 10.213.0.2] ---- [front 10.213.0.1] node [back 10.214.0.1] ---- [eth0 10.214.0.2] backend
 * </pre>
 *
 * {@link #close()} deletes the namespaces and the veths in them.
 */
public final class ExampleLab implements AutoCloseable
{
    public static final String VIP = "10.215.0.1";
    public static final String CLIENT_IP = "10.213.0.2";
    public static final String FRONT_IP = "10.213.0.1";
    public static final String BACK_IP = "10.214.0.1";
    public static final String BACKEND_IP = "10.214.0.2";
    public static final MacAddress BACK_MAC = MacAddress.parse("02:4d:50:00:02:01");
    public static final MacAddress BACKEND_MAC = MacAddress.parse("02:4d:50:00:02:02");

    private final NetNamespace client;
    private final NetNamespace node;
    private final NetNamespace backend;

    private ExampleLab(final NetNamespace client, final NetNamespace node, final NetNamespace backend)
    {
        this.client = client;
        this.node = node;
        this.backend = backend;
    }

    /** Creates the three namespaces (named after this process, so two runs do not collide) and wires them. */
    public static ExampleLab create()
    {
        final String prefix = "mpex-" + ProcessHandle.current().pid() + "-";
        final NetNamespace client = NetNamespace.create(prefix + "client");
        NetNamespace node = null;
        NetNamespace backend = null;
        try
        {
            node = NetNamespace.create(prefix + "node");
            backend = NetNamespace.create(prefix + "backend");
        }
        catch (final RuntimeException ex)
        {
            if (node != null)
            {
                node.close();
            }
            client.close();
            throw ex;
        }
        final ExampleLab lab = new ExampleLab(client, node, backend);
        try
        {
            lab.link(lab.client, "eth0", "02:4d:50:00:01:02", CLIENT_IP, "front", "02:4d:50:00:01:01", FRONT_IP);
            lab.link(lab.backend, "eth0", BACKEND_MAC.toString(), BACKEND_IP, "back", BACK_MAC.toString(), BACK_IP);
            lab.client.exec("ip", "route", "add", VIP + "/32", "via", FRONT_IP);
            lab.client.exec("ip", "route", "add", "10.214.0.0/24", "via", FRONT_IP);
            return lab;
        }
        catch (final RuntimeException ex)
        {
            lab.close();
            throw ex;
        }
    }

    /**
     * A veth from {@code host} to the node, addressed and up on both ends, each end's neighbour entry for the other
     * permanent (no ARP: an AF_XDP socket takes every frame its program steers, and the first datagrams of a burst
     * would wait on resolution). The host's end computes checksums itself (a veth would leave them to an offload that
     * is not there, and the node forwards frames as they are) and has GRO on: a veth delivers frames an XDP program
     * redirects into its peer only when it runs NAPI.
     */
    private void link(final NetNamespace host, final String name, final String mac, final String ip,
        final String nodeName, final String nodeMac, final String nodeIp)
    {
        HostCommand.run("ip", "-n", host.name(), "link", "add", name, "address", mac, "type", "veth", "peer", "name",
            nodeName, "address", nodeMac, "netns", node.name());
        host.exec("ip", "addr", "add", ip + "/24", "dev", name);
        node.exec("ip", "addr", "add", nodeIp + "/24", "dev", nodeName);
        host.exec("ip", "link", "set", name, "up");
        node.exec("ip", "link", "set", nodeName, "up");
        host.exec("ip", "neigh", "replace", nodeIp, "lladdr", nodeMac, "dev", name, "nud", "permanent");
        node.exec("ip", "neigh", "replace", ip, "lladdr", mac, "dev", nodeName, "nud", "permanent");
        host.exec("ethtool", "-K", name, "tx", "off", "gro", "on");
    }

    public NetNamespace client()
    {
        return client;
    }

    public NetNamespace node()
    {
        return node;
    }

    public NetNamespace backend()
    {
        return backend;
    }

    @Override
    public void close()
    {
        backend.close();
        node.close();
        client.close();
    }
}
