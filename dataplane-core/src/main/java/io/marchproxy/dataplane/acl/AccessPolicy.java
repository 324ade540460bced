package io.marchproxy.dataplane.acl;

import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.net.IntervalSearch;
import io.marchproxy.dataplane.net.IpFamily;
import io.marchproxy.dataplane.net.L4Protocol;

import java.util.List;
import java.util.Objects;

/**
 * Access rules compiled for the dataplane. {@link #entries()} is the form an XDP program uses with an eBPF LPM trie
 * keyed by (service, source prefix) (written by {@code io.marchproxy.dataplane.bpf.L4AccessEncoding}; the proof that
 * this is exact is in {@code AccessRuleCompiler}); {@link #decide} answers over the same entries in Java, for the new
 * flows the user-space path sees and for entries that overflow the BPF value.
 *
 * <p>The Java longest-prefix match is a binary search over the address intervals the prefixes of the flow's (service,
 * family) cut the address space into ({@code PrefixIntervals}); an interval whose decision needs no port (its entry
 * has no segments, or no prefix covers it) answers at once; otherwise a binary search over that entry's segments
 * (sorted by protocol, first port) finds the segment holding (protocol, port), else the entry's miss action.
 * Flows that are neither TCP nor UDP match no rule and get the default action.
 *
 * <p>Immutable: {@link #decide} may run on any thread and allocates nothing; publish a new policy to change rules.
 */
public final class AccessPolicy
{
    private final List<AccessRule> rules;
    private final AccessAction defaultAction;
    private final List<AccessEntry> entries;
    private final PrefixIntervals prefixes;
    private final AccessAction[] missActions;
    private final int[] segmentStart;
    private final int[] segmentLow;
    private final int[] segmentHigh;
    private final AccessAction[] segmentActions;

    private AccessPolicy(final List<AccessRule> rules, final AccessAction defaultAction)
    {
        this.rules = AccessRuleCompiler.ordered(rules);
        this.defaultAction = Objects.requireNonNull(defaultAction, "defaultAction");
        this.entries = List.copyOf(AccessRuleCompiler.compile(this.rules, defaultAction));

        final int count = entries.size();
        prefixes = new PrefixIntervals(entries, defaultAction);
        missActions = new AccessAction[count];
        segmentStart = new int[count + 1];
        int segments = 0;
        for (final AccessEntry entry : entries)
        {
            segments += entry.segments().size();
        }
        segmentLow = new int[segments];
        segmentHigh = new int[segments];
        segmentActions = new AccessAction[segments];
        int next = 0;
        for (int i = 0; i < count; i++)
        {
            final AccessEntry entry = entries.get(i);
            missActions[i] = entry.missAction();
            segmentStart[i] = next;
            for (final PortSegment segment : entry.segments())
            {
                segmentLow[next] = portKey(segment.protocol().number(), segment.ports().first());
                segmentHigh[next] = portKey(segment.protocol().number(), segment.ports().last());
                segmentActions[next] = segment.action();
                next++;
            }
        }
        segmentStart[count] = next;
    }

    /**
     * Compiles {@code rules} (evaluated by ascending priority, ties in list order) with {@code defaultAction} for
     * flows no rule matches.
     *
     * @param rules the rules
     * @param defaultAction the action when no rule matches
     * @return the compiled policy
     */
    public static AccessPolicy compile(final List<AccessRule> rules, final AccessAction defaultAction)
    {
        return new AccessPolicy(rules, defaultAction);
    }

    /**
     * The decision for a flow to service {@code service} from source address {@code (family, hi, lo)} over IP protocol
     * {@code protocol} to destination port {@code port}. Any thread; allocation-free.
     *
     * @param service the service's index
     * @param family the source's address family
     * @param hi the source address' high 64 bits (IPv4: 0)
     * @param lo its low 64 bits (IPv4: the address)
     * @param protocol the IP protocol
     * @param port the destination port
     * @return allow or deny
     */
    public AccessAction decide(
        final int service, final int family, final long hi, final long lo, final int protocol, final int port)
    {
        if (protocol != L4Protocol.TCP.number() && protocol != L4Protocol.UDP.number())
        {
            return defaultAction;
        }
        final int interval = prefixes.interval(service, family, hi, lo);
        if (interval == PrefixIntervals.NO_ENTRY)
        {
            return defaultAction;
        }
        final AccessAction fixed = prefixes.fixedAction(interval);
        return fixed != null ? fixed : decideInEntry(prefixes.entry(interval), portKey(protocol, port));
    }

    /**
     * {@return the decision for the flow of a first packet with tuple {@code tuple} to service {@code service}}
     *
     * @param service the service's index
     * @param tuple the first packet's 5-tuple
     */
    public AccessAction decide(final int service, final FlowTuple tuple)
    {
        return decide(service, tuple.family(), tuple.sourceHi(), tuple.sourceLo(), tuple.protocol(),
            tuple.destinationPort());
    }

    private AccessAction decideInEntry(final int entry, final int key)
    {
        final int segment = IntervalSearch.indexOf(segmentLow, segmentHigh, segmentStart[entry],
            segmentStart[entry + 1], key);
        return segment == IntervalSearch.NONE ? missActions[entry] : segmentActions[segment];
    }

    /** {@return the compiled entries, sorted by service, family, prefix length and address: what fills the BPF maps} */
    public List<AccessEntry> entries()
    {
        return entries;
    }

    /** {@return the action for flows no rule matches (and for LPM misses on the XDP side)} */
    public AccessAction defaultAction()
    {
        return defaultAction;
    }

    /** {@return the rules in evaluation order} */
    public List<AccessRule> rules()
    {
        return rules;
    }

    private static int portKey(final int protocol, final int port)
    {
        return (protocol << 16) | port;
    }

    /** {@return entries whose segments overflow one BPF value} */
    public int overflowCount()
    {
        int overflowing = 0;
        for (final AccessEntry entry : entries)
        {
            overflowing += entry.overflow() ? 1 : 0;
        }
        return overflowing;
    }

    /**
     * {@return the number of IPv4 and IPv6 entries of {@code family}}
     *
     * @param family {@code IpFamily.IPV4} or {@code IpFamily.IPV6}
     */
    public int entryCount(final int family)
    {
        int matching = 0;
        for (final AccessEntry entry : entries)
        {
            matching += entry.source().family() == family ? 1 : 0;
        }
        return IpFamily.isValid(family) ? matching : 0;
    }
}
