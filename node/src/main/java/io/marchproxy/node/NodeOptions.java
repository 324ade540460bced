package io.marchproxy.node;

import io.marchproxy.dataplane.bpf.XdpMode;
import io.marchproxy.dataplane.net.PortRange;
import io.marchproxy.dataplane.proxy.ProxySettings;

/**
 * The node's command line: {@code [--cluster NAME] [--front IF --back IF [--netns NS]] [--mode skb|drv]
 * [--snat-ports A-B] [--offload-flows N] [--seconds N] [--rate N]}. Without {@code --front}/{@code --back} the node
 * builds its lab.
 *
 * @param offloadFlows flows the XDP program forwards itself at once ({@link ProxySettings#offloadFlows()}; 0: none)
 * @param rate         lab traffic, requests a second (lab only)
 */
public record NodeOptions(String cluster, String front, String back, String netns, XdpMode mode, PortRange snatPorts,
                          int offloadFlows, long seconds, int rate, boolean help)
{
    public static final String DEFAULT_CLUSTER = "default";
    public static final int DEFAULT_OFFLOAD_FLOWS = 32_768;
    /** 8 x this many slots of 128 bytes: 1 GiB of shared memory at most. */
    public static final int MAX_OFFLOAD_FLOWS = 1 << 20;
    public static final String USAGE = """
        usage: bin/node [--cluster NAME] [--front IF --back IF [--netns NS]] [--mode skb|drv] [--snat-ports A-B]
                        [--offload-flows N] [--seconds N] [--rate N]
          --cluster NAME   the cluster whose tcp/udp services this node proxies (default: default)
          --front IF       the interface clients reach the service VIPs on
          --back IF        the interface toward the backends; its addresses are the SNAT sources
          --netns NS       the network namespace both interfaces are in (default: this process's)
          --mode skb|drv   XDP mode (default: drv)
          --snat-ports A-B source ports taken on the back addresses (default: 20000-32767; keep them out of the
                           kernel's ip_local_port_range)
          --offload-flows N flows the XDP program forwards itself once the proxy decided them (default: 32768;
                           0: every frame through the Java path); their slots take 1 KiB each of shared memory
          --seconds N      stop after N seconds (default: run until Ctrl-C)
          --rate N         lab only: client requests a second through the proxy (default: 20)
        Without --front/--back the node builds a lab: clients, the node and backends in namespaces it creates,
        with real servers on the backends and lab traffic through the proxy.""";

    /** True when the node builds its own lab network. */
    public boolean lab()
    {
        return front == null;
    }

    /** Parses {@code args}; a bad value throws {@link IllegalArgumentException} with a message for the user. */
    public static NodeOptions parse(final String[] args)
    {
        String cluster = DEFAULT_CLUSTER;
        String front = null;
        String back = null;
        String netns = null;
        XdpMode mode = XdpMode.DRV;
        PortRange snat = ProxySettings.DEFAULT_SNAT_PORTS;
        int offloadFlows = DEFAULT_OFFLOAD_FLOWS;
        long seconds = 0;
        int rate = 20;
        boolean help = false;
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--cluster" -> cluster = value(args, ++i, arg);
                case "--front" -> front = value(args, ++i, arg);
                case "--back" -> back = value(args, ++i, arg);
                case "--netns" -> netns = value(args, ++i, arg);
                case "--mode" -> mode = XdpMode.parse(value(args, ++i, arg));
                case "--snat-ports" -> snat = ports(value(args, ++i, arg));
                case "--offload-flows" -> offloadFlows = (int)number(value(args, ++i, arg), arg, 0, MAX_OFFLOAD_FLOWS);
                case "--seconds" -> seconds = number(value(args, ++i, arg), arg, 0, Long.MAX_VALUE);
                case "--rate" -> rate = (int)number(value(args, ++i, arg), arg, 1, 10_000);
                case "--help", "-h" -> help = true;
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        if ((front == null) != (back == null))
        {
            throw new IllegalArgumentException("--front and --back go together");
        }
        if (front != null && front.equals(back))
        {
            throw new IllegalArgumentException("--front and --back must be two interfaces");
        }
        if (netns != null && front == null)
        {
            throw new IllegalArgumentException("--netns needs --front and --back");
        }
        return new NodeOptions(cluster, front, back, netns, mode, snat, offloadFlows, seconds, rate, help);
    }

    private static PortRange ports(final String text)
    {
        final int dash = text.indexOf('-');
        try
        {
            final PortRange r = new PortRange(Integer.parseInt(text.substring(0, dash)),
                Integer.parseInt(text.substring(dash + 1)));
            if (r.first() < 1024)
            {
                throw new IllegalArgumentException("--snat-ports must start at 1024 or above: " + text);
            }
            return r;
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException("--snat-ports needs A-B with 1024 <= A <= B <= 65535, not '" + text
                + "'");
        }
    }

    private static String value(final String[] args, final int i, final String option)
    {
        if (i >= args.length)
        {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static long number(final String text, final String option, final long min, final long max)
    {
        try
        {
            final long v = Long.parseLong(text);
            if (v < min || v > max)
            {
                throw new IllegalArgumentException(option + " must be " + min + ".." + max + ", not " + text);
            }
            return v;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + " needs a number, not '" + text + "'");
        }
    }
}
