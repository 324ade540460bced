package io.marchproxy.node;

import io.marchproxy.dataplane.bpf.XdpMode;

import java.util.ArrayList;
import java.util.List;

/**
 * Dataplane options of the lab node and the full node: {@code [--interface IF [--netns NS]] [--mode skb|drv]
 * [--seconds N] [--pps N]}. Options it does not know are kept in {@link #rest()} for the caller.
 */
public record LabOptions(String iface, String netns, XdpMode mode, long seconds, int pps, List<String> rest)
{
    public static final String USAGE = "[--interface IF [--netns NS]] [--mode skb|drv] [--seconds N] [--pps N]";

    /** Parses {@code args}; a bad value throws {@link IllegalArgumentException} with a message for the user. */
    public static LabOptions parse(final String[] args)
    {
        String iface = null;
        String netns = null;
        XdpMode mode = XdpMode.DRV;
        long seconds = 0;
        int pps = 1000;
        final List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--interface" -> iface = value(args, ++i, arg);
                case "--netns" -> netns = value(args, ++i, arg);
                case "--mode" -> mode = XdpMode.parse(value(args, ++i, arg));
                case "--seconds" -> seconds = number(value(args, ++i, arg), arg, 0, Long.MAX_VALUE);
                case "--pps" -> pps = (int)number(value(args, ++i, arg), arg, 1, 1_000_000);
                default -> rest.add(arg);
            }
        }
        if (netns != null && iface == null)
        {
            throw new IllegalArgumentException("--netns needs --interface");
        }
        return new LabOptions(iface, netns, mode, seconds, pps, List.copyOf(rest));
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
