package io.marchproxy.lab;

import io.marchproxy.dataplane.netns.NetNamespace;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nftables counters of packets arriving in a lab namespace by what they match ({@code udp dport 7000 ip dscp 46}):
 * how a test sees the DSCP values the receiver got. One table ({@value #TABLE}, family inet, an input chain) per
 * namespace, removed by {@link #close()}.
 */
public final class DscpCounters implements AutoCloseable
{
    public static final String TABLE = "marchproxy_dscp";
    private static final Pattern PACKETS = Pattern.compile("packets (\\d+)");

    private final NetNamespace namespace;

    private DscpCounters(final NetNamespace namespace)
    {
        this.namespace = namespace;
    }

    /** An empty table with an input chain in {@code namespace}. */
    public static DscpCounters install(final NetNamespace namespace)
    {
        namespace.exec("nft", "add", "table", "inet", TABLE);
        namespace.exec("nft", "add", "chain", "inet", TABLE, "input",
            "{ type filter hook input priority filter; policy accept; }");
        return new DscpCounters(namespace);
    }

    /** Counts, as {@code name}, the packets matching {@code match} (nft syntax, e.g. {@code ip dscp 46}). */
    public DscpCounters count(final String name, final String match)
    {
        namespace.exec("nft", "add", "counter", "inet", TABLE, name);
        final List<String> argv = new ArrayList<>(List.of("nft", "add", "rule", "inet", TABLE, "input"));
        argv.addAll(List.of(match.strip().split("\\s+")));
        argv.addAll(List.of("counter", "name", name));
        namespace.exec(argv.toArray(String[]::new));
        return this;
    }

    /** The packets counted as {@code name}. */
    public long packets(final String name)
    {
        final Matcher m = PACKETS.matcher(namespace.exec("nft", "list", "counter", "inet", TABLE, name));
        if (!m.find())
        {
            throw new IllegalStateException("no packet count for counter " + name);
        }
        return Long.parseLong(m.group(1));
    }

    @Override
    public void close()
    {
        namespace.exec("nft", "delete", "table", "inet", TABLE);
    }
}
