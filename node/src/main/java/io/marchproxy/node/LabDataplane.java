package io.marchproxy.node;

import io.marchproxy.dataplane.bpf.XdpAttachment;
import io.marchproxy.dataplane.bpf.XskProgram;
import io.marchproxy.dataplane.netns.Interfaces;
import io.marchproxy.dataplane.netns.NetNamespace;
import io.marchproxy.lab.LabTrafficSource;
import io.marchproxy.lab.VethLab;

import java.io.PrintStream;
import java.net.InetSocketAddress;

/**
 * The dataplane of a node: the XDP program loaded and attached to an interface, or, with no interface given, to a veth
 * lab it builds, with UDP lab traffic to {@link #LAB_PORT} from the peer namespace. {@link #close()} stops the traffic,
 * detaches, unloads and deletes the lab, in that order.
 */
public final class LabDataplane implements AutoCloseable
{
    /** Destination UDP port of the lab traffic. */
    public static final int LAB_PORT = 9000;

    private final VethLab lab;
    private final NetNamespace ns;
    private final XskProgram program;
    private final XdpAttachment attachment;
    private final LabTrafficSource traffic;

    private LabDataplane(
        final VethLab lab, final NetNamespace ns, final XskProgram program, final XdpAttachment attachment,
        final LabTrafficSource traffic)
    {
        this.lab = lab;
        this.ns = ns;
        this.program = program;
        this.attachment = attachment;
        this.traffic = traffic;
    }

    /**
     * Starts the dataplane described by {@code options} with redirect policy {@code policy}
     * ({@code XskProgram.POLICY_*}), reporting what it built on {@code out}.
     */
    public static LabDataplane start(final LabOptions options, final int policy, final PrintStream out) throws Exception
    {
        VethLab lab = null;
        XskProgram program = null;
        XdpAttachment attachment = null;
        NetNamespace ns = null;
        try
        {
            final String iface;
            if (options.iface() == null)
            {
                lab = VethLab.create();
                ns = lab.nsA();
                iface = lab.ifA();
                out.printf("lab: %s %s (%s) <-> %s %s (%s)%n",
                    lab.nsA().name(), lab.ifA(), lab.ipA(), lab.nsB().name(), lab.ifB(), lab.ipB());
            }
            else
            {
                ns = options.netns() == null ? null : NetNamespace.existing(options.netns());
                iface = options.iface();
            }
            program = XskProgram.load();
            program.setPolicy(policy, 0, 0);
            final XskProgram loaded = program;
            attachment = ns == null ? loaded.attach(Interfaces.index(iface), options.mode()) :
                ns.call(() -> loaded.attach(Interfaces.index(iface), options.mode()));
            out.printf("xdp: %s attached to %s in %s mode%n", XskProgram.PROGRAM, iface, options.mode());
            LabTrafficSource traffic = null;
            if (lab != null)
            {
                traffic = new LabTrafficSource(
                    lab.nsB(), new InetSocketAddress(lab.ipA(), LAB_PORT), options.pps(), 64);
                out.printf("traffic: %d UDP packets/s from %s to %s:%d%n", options.pps(), lab.ipB(), lab.ipA(), LAB_PORT);
            }
            return new LabDataplane(lab, ns, program, attachment, traffic);
        }
        catch (final Exception | Error ex)
        {
            if (attachment != null)
            {
                detach(ns, attachment);
            }
            if (program != null)
            {
                program.close();
            }
            if (lab != null)
            {
                lab.close();
            }
            throw ex;
        }
    }

    public XskProgram program()
    {
        return program;
    }

    /** The lab, or null when running on a given interface. */
    public VethLab lab()
    {
        return lab;
    }

    @Override
    public void close()
    {
        try
        {
            if (traffic != null)
            {
                traffic.close();
            }
            detach(ns, attachment);
        }
        finally
        {
            program.close();
            if (lab != null)
            {
                lab.close();
            }
        }
    }

    private static void detach(final NetNamespace ns, final XdpAttachment attachment)
    {
        if (ns == null)
        {
            attachment.close();
        }
        else
        {
            ns.run(attachment::close);
        }
    }
}
