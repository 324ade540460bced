package io.marchproxy.lab;

import io.marchproxy.dataplane.netns.HostCommand;
import io.marchproxy.dataplane.netns.NetNamespace;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A lab network of two namespaces joined by veth: {@link #ifA()} in {@link #nsA()} (where the dataplane runs) and
 * {@link #ifB()} in {@link #nsB()} (where traffic comes from), addressed {@link #ipA()}/{@link #ipB()} in a /24, with
 * fixed MACs and permanent neighbour entries both ways so no ARP is needed. {@link #createForwarding()} adds a second
 * pair, {@link #ifC()} in A and {@link #ifD()} in B, for forwarding labs.
 *
 * <p>Everything lives inside the two namespaces; {@link #close()} deletes them (and so the veths). A JVM shutdown hook
 * closes labs left open, and labs of processes that died are swept when the next one is created.
 */
public final class VethLab implements AutoCloseable
{
    private static final String PREFIX = "mplab-";
    private static final Pattern OWNED = Pattern.compile(PREFIX + "(\\d+)-\\d+-[ab]");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final NetNamespace nsA;
    private final NetNamespace nsB;
    private final boolean forwarding;

    private VethLab(final NetNamespace nsA, final NetNamespace nsB, final boolean forwarding)
    {
        this.nsA = nsA;
        this.nsB = nsB;
        this.forwarding = forwarding;
    }

    /** One veth pair: {@code ifA} in A, {@code ifB} in B. */
    public static VethLab create()
    {
        return build(false);
    }

    /** Two veth pairs: A-B and C-D, with C in namespace A and D in namespace B. */
    public static VethLab createForwarding()
    {
        return build(true);
    }

    private static VethLab build(final boolean forwarding)
    {
        LabNamespaces.sweepStale(OWNED);
        final String base = PREFIX + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
        final NetNamespace a = NetNamespace.create(base + "-a");
        NetNamespace b = null;
        try
        {
            b = NetNamespace.create(base + "-b");
            final VethLab lab = new VethLab(a, b, forwarding);
            LabNamespaces.closeOnExit(lab);
            lab.pair("xa0", lab.macA(), lab.ipA(), "xb0", lab.macB(), lab.ipB());
            if (forwarding)
            {
                lab.pair("xc0", lab.macC(), lab.ipC(), "xd0", lab.macD(), lab.ipD());
            }
            return lab;
        }
        catch (final RuntimeException ex)
        {
            if (b != null)
            {
                b.close();
            }
            a.close();
            throw ex;
        }
    }

    private void pair(
        final String ifLeft, final byte[] macLeft, final String ipLeft,
        final String ifRight, final byte[] macRight, final String ipRight)
    {
        HostCommand.run("ip", "-n", nsA.name(), "link", "add", ifLeft, "address", mac(macLeft), "type", "veth",
            "peer", "name", ifRight, "address", mac(macRight), "netns", nsB.name());
        configure(nsA, ifLeft, ipLeft, ipRight, macRight);
        configure(nsB, ifRight, ipRight, ipLeft, macLeft);
    }

    private static void configure(
        final NetNamespace ns, final String dev, final String ip, final String peerIp, final byte[] peerMac)
    {
        // No IPv6 on lab links: router solicitations and DAD would add frames the tests did not send.
        HostCommand.run("ip", "netns", "exec", ns.name(), "sysctl", "-qw", "net.ipv6.conf." + dev + ".disable_ipv6=1");
        HostCommand.run("ip", "-n", ns.name(), "addr", "add", ip + "/24", "dev", dev);
        HostCommand.run("ip", "-n", ns.name(), "link", "set", dev, "up");
        HostCommand.run("ip", "-n", ns.name(), "neigh", "replace", peerIp, "lladdr", mac(peerMac), "dev", dev,
            "nud", "permanent");
    }

    public NetNamespace nsA()
    {
        return nsA;
    }

    public NetNamespace nsB()
    {
        return nsB;
    }

    public String ifA()
    {
        return "xa0";
    }

    public String ifB()
    {
        return "xb0";
    }

    public String ifC()
    {
        requireForwarding();
        return "xc0";
    }

    public String ifD()
    {
        requireForwarding();
        return "xd0";
    }

    public String ipA()
    {
        return "10.213.1.1";
    }

    public String ipB()
    {
        return "10.213.1.2";
    }

    public String ipC()
    {
        return "10.213.2.1";
    }

    public String ipD()
    {
        return "10.213.2.2";
    }

    public byte[] macA()
    {
        return new byte[] {0x02, 0x4d, 0x50, 0x00, 0x01, 0x0a};
    }

    public byte[] macB()
    {
        return new byte[] {0x02, 0x4d, 0x50, 0x00, 0x01, 0x0b};
    }

    public byte[] macC()
    {
        return new byte[] {0x02, 0x4d, 0x50, 0x00, 0x02, 0x0c};
    }

    public byte[] macD()
    {
        return new byte[] {0x02, 0x4d, 0x50, 0x00, 0x02, 0x0d};
    }

    /** Formats a MAC as {@code 02:4d:...}. */
    public static String mac(final byte[] mac)
    {
        final StringBuilder sb = new StringBuilder();
        for (final byte b : mac)
        {
            if (!sb.isEmpty())
            {
                sb.append(':');
            }
            sb.append(String.format("%02x", b & 0xff));
        }
        return sb.toString();
    }

    /** Removes both namespaces and the veths in them. Idempotent. */
    @Override
    public void close()
    {
        if (LabNamespaces.release(this))
        {
            try
            {
                nsB.close();
            }
            finally
            {
                nsA.close();
            }
        }
    }

    private void requireForwarding()
    {
        if (!forwarding)
        {
            throw new IllegalStateException("this lab has one veth pair: use VethLab.createForwarding()");
        }
    }
}
