package io.marchproxy.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel's L4 path on an {@link L4Lab}'s node, the reference a user-space proxy is compared with: IPv4 and IPv6
 * forwarding on, one nftables table ({@value #TABLE}, family inet) that DNATs each service's VIP:port to the backends
 * round robin ({@code numgen inc}: every new connection or UDP flow goes to the next backend) and masquerades what
 * leaves the back interface to the node's back address. {@link #close()} deletes the table and turns forwarding off
 * again; connections already tracked keep their translation until conntrack expires them.
 */
public final class KernelNat implements AutoCloseable
{
    /** The nftables table the lab's rules live in; nothing else on the node uses it. */
    public static final String TABLE = "marchproxy_lab";

    private final L4Lab lab;
    private final String ruleset;
    private boolean closed;

    private KernelNat(final L4Lab lab, final String ruleset)
    {
        this.lab = lab;
        this.ruleset = ruleset;
    }

    static KernelNat install(final L4Lab lab, final List<LabService> services)
    {
        final String ruleset = ruleset(lab, services);
        final KernelNat nat = new KernelNat(lab, ruleset);
        try
        {
            L4Lab.sysctl(lab.node(), "net/ipv4/ip_forward", "1");
            L4Lab.sysctl(lab.node(), "net/ipv6/conf/all/forwarding", "1");
            final Path file = Files.createTempFile("marchproxy-nat", ".nft");
            try
            {
                Files.writeString(file, ruleset);
                lab.node().exec("nft", "-f", file.toString());
            }
            finally
            {
                Files.delete(file);
            }
        }
        catch (final IOException ex)
        {
            nat.close();
            throw new UncheckedIOException(ex);
        }
        catch (final RuntimeException ex)
        {
            nat.close();
            throw ex;
        }
        return nat;
    }

    /** The nftables ruleset installed, as {@code nft -f} read it. */
    public String ruleset()
    {
        return ruleset;
    }

    /** Removes the table and turns forwarding off. Idempotent. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (!Files.exists(lab.node().path()))
        {
            // The lab was closed first: the table went with the node's namespace.
            return;
        }
        if (lab.node().exec("nft", "list", "tables").contains(" " + TABLE))
        {
            lab.node().exec("nft", "delete", "table", "inet", TABLE);
        }
        L4Lab.sysctl(lab.node(), "net/ipv4/ip_forward", "0");
        L4Lab.sysctl(lab.node(), "net/ipv6/conf/all/forwarding", "0");
    }

    private static String ruleset(final L4Lab lab, final List<LabService> services)
    {
        final List<LabHost> backends = lab.backends();
        final StringBuilder nft = new StringBuilder();
        nft.append("table inet ").append(TABLE).append(" {\n");
        nft.append("  chain prerouting {\n");
        nft.append("    type nat hook prerouting priority dstnat; policy accept;\n");
        for (final LabService service : services)
        {
            final boolean v4 = service.vip() instanceof Inet4Address;
            nft.append("    ").append(v4 ? "ip" : "ip6").append(" daddr ").append(service.vip().getHostAddress())
                .append(' ').append(service.transport().keyword()).append(" dport ").append(service.port())
                .append(" dnat ").append(v4 ? "ip" : "ip6").append(" to numgen inc mod ").append(backends.size())
                .append(" map { ");
            for (int i = 0; i < backends.size(); i++)
            {
                final InetAddress backend = v4 ? backends.get(i).link().ipv4() : backends.get(i).link().ipv6();
                nft.append(i == 0 ? "" : ", ").append(i).append(" : ").append(backend.getHostAddress())
                    .append(" . ").append(service.backendPort());
            }
            nft.append(" }\n");
        }
        nft.append("  }\n");
        nft.append("  chain postrouting {\n");
        nft.append("    type nat hook postrouting priority srcnat; policy accept;\n");
        nft.append("    oifname \"").append(lab.back().name()).append("\" masquerade\n");
        nft.append("  }\n");
        nft.append("}\n");
        return nft.toString();
    }
}
