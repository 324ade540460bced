package io.marchproxy.dataplane.lab;

import io.marchproxy.dataplane.bpf.XdpAttachment;
import io.marchproxy.dataplane.bpf.XdpMode;
import io.marchproxy.dataplane.bpf.XskProgram;
import io.marchproxy.dataplane.netns.Interfaces;
import io.marchproxy.dataplane.netns.NetNamespace;
import io.marchproxy.dataplane.netns.VethLab;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs the dataplane's XDP program on an interface and prints live counters once a second until Ctrl-C (or
 * {@code --seconds}). Without {@code --interface} it builds a veth lab in two fresh namespaces and sends UDP traffic
 * through it from the peer side. Everything it made is removed on exit, Ctrl-C included.
 *
 * <pre>
 * LabNodeMain [--interface IF [--netns NS]] [--mode skb|drv] [--seconds N] [--pps N]
 * </pre>
 */
public final class LabNodeMain
{
    private LabNodeMain()
    {
    }

    /** Parsed command line. */
    record Options(String iface, String netns, XdpMode mode, long seconds, int pps)
    {
        static Options parse(final String[] args)
        {
            String iface = null;
            String netns = null;
            XdpMode mode = XdpMode.DRV;
            long seconds = 0;
            int pps = 1000;
            for (int i = 0; i < args.length; i++)
            {
                final String arg = args[i];
                switch (arg)
                {
                    case "--interface" -> iface = value(args, ++i, arg);
                    case "--netns" -> netns = value(args, ++i, arg);
                    case "--mode" -> mode = XdpMode.parse(value(args, ++i, arg));
                    case "--seconds" -> seconds = Long.parseLong(value(args, ++i, arg));
                    case "--pps" -> pps = Integer.parseInt(value(args, ++i, arg));
                    case "-h", "--help" -> throw new IllegalArgumentException(
                        "usage: marchproxy-lab [--interface IF [--netns NS]] [--mode skb|drv] [--seconds N] [--pps N]");
                    default -> throw new IllegalArgumentException("unknown option " + arg + " (try --help)");
                }
            }
            return new Options(iface, netns, mode, seconds, pps);
        }

        private static String value(final String[] args, final int i, final String option)
        {
            if (i >= args.length)
            {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }
    }

    public static void main(final String[] args) throws Exception
    {
        final Options options;
        try
        {
            options = Options.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println(ex.getMessage());
            System.exit(2);
            return;
        }
        final CountDownLatch stop = new CountDownLatch(1);
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            stop.countDown();
            try
            {
                stopped.await(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ignored)
            {
                Thread.currentThread().interrupt();
            }
        }, "lab-node-stop"));
        try
        {
            run(options, stop, System.out);
        }
        catch (final RuntimeException ex)
        {
            System.err.println("marchproxy: " + ex.getMessage());
            stopped.countDown();
            System.exit(1);
        }
        stopped.countDown();
    }

    static void run(final Options options, final CountDownLatch stop, final PrintStream out) throws Exception
    {
        VethLab lab = null;
        LabTrafficSource traffic = null;
        final NetNamespace ns;
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
        try (XskProgram program = XskProgram.load())
        {
            program.setPolicy(XskProgram.POLICY_IPV4_UDP, 0, 0);
            final XdpAttachment attachment = ns == null ?
                program.attach(Interfaces.index(iface), options.mode()) :
                ns.call(() -> program.attach(Interfaces.index(iface), options.mode()));
            try
            {
                out.printf("xdp: %s attached to %s in %s mode%n", XskProgram.PROGRAM, iface, options.mode());
                if (lab != null)
                {
                    traffic = new LabTrafficSource(lab.nsB(), new InetSocketAddress(lab.ipA(), 9000), options.pps(), 64);
                    out.printf("traffic: %d UDP packets/s from %s to %s:9000%n", options.pps(), lab.ipB(), lab.ipA());
                }
                printCounters(program, options.seconds(), stop, out);
            }
            finally
            {
                if (traffic != null)
                {
                    traffic.close();
                }
                if (ns == null)
                {
                    attachment.close();
                }
                else
                {
                    ns.run(attachment::close);
                }
                out.println("xdp: detached");
            }
        }
        finally
        {
            if (lab != null)
            {
                lab.close();
                out.println("lab: removed");
            }
        }
    }

    private static void printCounters(
        final XskProgram program, final long seconds, final CountDownLatch stop, final PrintStream out)
        throws InterruptedException
    {
        out.printf("%8s %12s %12s %12s %12s %10s%n", "time", "rx_packets", "rx_bytes", "passed", "redirected", "pps");
        long lastPackets = program.counter(XskProgram.Counter.RX_PACKETS);
        final long start = System.nanoTime();
        for (long tick = 1; seconds == 0 || tick <= seconds; tick++)
        {
            if (stop.await(start + TimeUnit.SECONDS.toNanos(tick) - System.nanoTime(), TimeUnit.NANOSECONDS))
            {
                return;
            }
            final long packets = program.counter(XskProgram.Counter.RX_PACKETS);
            out.printf("%7ds %12d %12d %12d %12d %10d%n", tick, packets,
                program.counter(XskProgram.Counter.RX_BYTES),
                program.counter(XskProgram.Counter.PASSED_NO_SOCKET) + program.counter(XskProgram.Counter.PASSED_POLICY),
                program.counter(XskProgram.Counter.REDIRECTED),
                packets - lastPackets);
            lastPackets = packets;
        }
    }
}
