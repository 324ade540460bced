package io.marchproxy.perflab;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The options of {@code xsk_ref} (perf-lab/c/xsk_ref.c), parsed with the same defaults, ranges and checks.
 *
 * @param dstMac 6 bytes (txonly), else null
 * @param srcIp  4 bytes in network order (txonly), else null
 * @param dstIp  4 bytes in network order (txonly), else null
 */
record ScenarioOptions(
    String scenario,
    String ifname,
    String ifname2,
    int queue,
    double seconds,
    double warmup,
    double startTimeout,
    int batch,
    int ring,
    int frames,
    int frameSize,
    int frameLen,
    boolean needWakeup,
    int txBudget,
    boolean socketApi,
    boolean drvMode,
    String bpfObject,
    byte[] dstMac,
    byte[] srcIp,
    byte[] dstIp)
{
    static final String USAGE = """
        usage: XskScenario --scenario rxdrop|txonly|l2fwd --ifname IF [--ifname2 IF2] [--queue 0] [--seconds 5]
                           [--warmup 2] [--start-timeout 10] [--batch 64] [--ring 2048] [--frames 4096]
                           [--frame-size 4096] [--mode skb|drv] [--need-wakeup 0|1] [--bpf-object PATH]
                           [--tx-budget 0|32..ring] [--api rings|socket] [--frame-len 60]
                           [--dst-mac MAC --src-ip IP --dst-ip IP (txonly)]
        Prints one JSON line at the end: {"impl":"java","scenario":...,"packets":N,"seconds":S,"pps":P,...}
        --api rings (default): the loops of xsk_ref on the rings directly; --api socket: XskSocket's packet API
        (receive/transmit/flush/complete) and, for l2fwd, the XskForwarder agent.
        The XDP program is the one embedded in dataplane-core; --bpf-object is accepted and not read.""";

    /** A usage error: the message goes to stderr and the process exits with 1, as xsk_ref does. */
    static final class UsageException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        UsageException(final String message)
        {
            super(message);
        }
    }

    /** Parses {@code args}; returns null for {@code --help}. */
    static ScenarioOptions parse(final String[] args)
    {
        String scenario = null;
        String ifname = null;
        String ifname2 = null;
        String bpfObject = null;
        int queue = 0;
        double seconds = 5;
        double warmup = 2;
        double startTimeout = 10;
        int batch = 64;
        int ring = 2048;
        int frames = 4096;
        int frameSize = 4096;
        int frameLen = 60;
        boolean needWakeup = true;
        int txBudget = 0;
        boolean socketApi = false;
        boolean drvMode = true;
        byte[] dstMac = null;
        byte[] srcIp = null;
        byte[] dstIp = null;
        for (int i = 0; i < args.length; i++)
        {
            final String a = args[i];
            if (a.equals("-h") || a.equals("--help"))
            {
                return null;
            }
            if (i + 1 >= args.length)
            {
                throw new UsageException("option " + a + " needs a value (see --help)");
            }
            final String v = args[++i];
            switch (a)
            {
                case "--scenario" ->
                {
                    if (!v.equals("rxdrop") && !v.equals("txonly") && !v.equals("l2fwd"))
                    {
                        throw new UsageException("unknown scenario '" + v + "' (rxdrop, txonly or l2fwd)");
                    }
                    scenario = v;
                }
                case "--ifname" -> ifname = v;
                case "--ifname2" -> ifname2 = v;
                case "--queue" -> queue = (int)parseLong(a, v, 0, 63);
                case "--seconds" -> seconds = parseDouble(a, v, 0.1, 3600);
                case "--warmup" -> warmup = parseDouble(a, v, 0, 600);
                case "--start-timeout" -> startTimeout = parseDouble(a, v, 0.1, 600);
                case "--batch" -> batch = (int)parseLong(a, v, 1, 4096);
                case "--ring" -> ring = (int)parseLong(a, v, 1, 1 << 20);
                case "--frames" -> frames = (int)parseLong(a, v, 1, 1 << 22);
                case "--frame-size" -> frameSize = (int)parseLong(a, v, 2048, 65536);
                case "--frame-len" -> frameLen = (int)parseLong(a, v, 42, 1514);
                case "--need-wakeup" -> needWakeup = parseLong(a, v, 0, 1) == 1;
                case "--tx-budget" -> txBudget = (int)parseLong(a, v, 0, 1 << 20);
                case "--api" ->
                {
                    if (!v.equals("rings") && !v.equals("socket"))
                    {
                        throw new UsageException("unknown api '" + v + "' (rings or socket)");
                    }
                    socketApi = v.equals("socket");
                }
                case "--mode" ->
                {
                    if (!v.equals("drv") && !v.equals("skb"))
                    {
                        throw new UsageException("unknown mode '" + v + "' (skb or drv)");
                    }
                    drvMode = v.equals("drv");
                }
                case "--bpf-object" -> bpfObject = v;
                case "--dst-mac" -> dstMac = parseMac(v);
                case "--src-ip" -> srcIp = parseIp4(v);
                case "--dst-ip" -> dstIp = parseIp4(v);
                default -> throw new UsageException("unknown option " + a + " (see --help)");
            }
        }
        if (scenario == null || ifname == null)
        {
            throw new UsageException("--scenario and --ifname are required (see --help)");
        }
        if (Integer.bitCount(ring) != 1 || Integer.bitCount(frameSize) != 1)
        {
            throw new UsageException("--ring and --frame-size must be powers of two");
        }
        if (frameLen > frameSize - 256)
        {
            throw new UsageException("--frame-len " + frameLen + " does not fit a " + frameSize + "-byte frame");
        }
        if (scenario.equals("txonly") && (dstMac == null || srcIp == null || dstIp == null))
        {
            throw new UsageException("txonly needs --dst-mac, --src-ip and --dst-ip");
        }
        if (!scenario.equals("l2fwd") || ifname2 == null)
        {
            ifname2 = ifname;
        }
        return new ScenarioOptions(scenario, ifname, ifname2, queue, seconds, warmup, startTimeout, batch, ring,
            frames, frameSize, frameLen, needWakeup, txBudget, socketApi, drvMode, bpfObject, dstMac, srcIp, dstIp);
    }

    /** {@code v} as an integer in min..max, else a {@link UsageException} naming {@code option}. */
    static long parseLong(final String option, final String v, final long min, final long max)
    {
        try
        {
            final long x = Long.parseLong(v);
            if (x >= min && x <= max)
            {
                return x;
            }
        }
        catch (final NumberFormatException ignored)
        {
            // reported below
        }
        throw new UsageException(
            "bad value for " + option + ": '" + v + "' (expected an integer in " + min + ".." + max + ")");
    }

    /** {@code v} as a number in min..max, else a {@link UsageException} naming {@code option}. */
    static double parseDouble(final String option, final String v, final double min, final double max)
    {
        try
        {
            final double x = Double.parseDouble(v);
            if (x >= min && x <= max)
            {
                return x;
            }
        }
        catch (final NumberFormatException ignored)
        {
            // reported below
        }
        throw new UsageException(
            "bad value for " + option + ": '" + v + "' (expected a number in " + min + ".." + max + ")");
    }

    private static byte[] parseMac(final String v)
    {
        final String[] parts = v.split(":", -1);
        if (parts.length != 6)
        {
            throw new UsageException("bad MAC address '" + v + "' (expected aa:bb:cc:dd:ee:ff)");
        }
        final byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++)
        {
            try
            {
                final int b = Integer.parseInt(parts[i], 16);
                if (b < 0 || b > 255 || parts[i].isEmpty() || parts[i].length() > 2)
                {
                    throw new NumberFormatException();
                }
                mac[i] = (byte)b;
            }
            catch (final NumberFormatException ex)
            {
                throw new UsageException("bad MAC address '" + v + "'");
            }
        }
        return mac;
    }

    private static byte[] parseIp4(final String v)
    {
        if (!v.matches("\\d{1,3}(\\.\\d{1,3}){3}"))
        {
            throw new UsageException("bad IPv4 address '" + v + "'");
        }
        try
        {
            final InetAddress address = InetAddress.getByName(v);
            if (address instanceof Inet4Address)
            {
                return address.getAddress();
            }
        }
        catch (final UnknownHostException ignored)
        {
            // reported below
        }
        throw new UsageException("bad IPv4 address '" + v + "'");
    }
}
