package io.marchproxy.node;

import io.marchproxy.lab.L4Lab;
import io.marchproxy.lab.ServerReply;
import io.marchproxy.lab.Transport;

import java.io.PrintStream;

/**
 * The lab a node or an agent builds when given no interfaces: an {@link L4Lab} with two clients and three backends
 * running real TCP and UDP servers (on {@link LabSeed}'s ports, answering with their names), described on the console.
 * Every lab has the same addresses in namespaces of its own, so the lab cluster a node seeds fits an agent's lab too.
 */
public final class NodeLab
{
    private NodeLab()
    {
    }

    /** Builds the lab and starts its servers; the caller closes it. */
    public static L4Lab create(final PrintStream out)
    {
        out.println("lab: building namespaces (2 clients, the node, 3 backends) and starting servers...");
        final L4Lab lab = L4Lab.create(2, 3);
        try
        {
            lab.startServers(Transport.TCP, LabSeed.BACKEND_TCP_PORT, ServerReply.NAME);
            lab.startServers(Transport.UDP, LabSeed.BACKEND_UDP_PORT, ServerReply.NAME);
        }
        catch (final RuntimeException ex)
        {
            lab.close();
            throw ex;
        }
        out.printf("lab: clients %s, node front %s (%s) back %s (%s), backends %s; VIPs %s%n",
            lab.clients().stream().map(c -> c.link().ipv4().getHostAddress()).toList(), lab.front().name(),
            lab.front().ipv4().getHostAddress(), lab.back().name(), lab.back().ipv4().getHostAddress(),
            lab.backends().stream().map(b -> b.link().ipv4().getHostAddress()).toList(), L4Lab.VIP_IPV4);
        return lab;
    }
}
