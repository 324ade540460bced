package io.marchproxy.dataplane.acl;

import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.net.IntervalSearch;
import io.marchproxy.dataplane.net.IpFamily;
import io.marchproxy.dataplane.net.IpPrefix;
import io.marchproxy.dataplane.net.KeyIndex;
import io.marchproxy.dataplane.net.L4Protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Access rules compiled for the dataplane. {@link #entries()} is the form an XDP program uses with an eBPF LPM trie
 * keyed by (service, source prefix) (see {@link AccessTrieLayout}; the proof that this is exact is in
 * {@code AccessRuleCompiler}); {@link #decide} answers over the same entries in Java, for the new flows the user-space
 * path sees and for entries that overflow the BPF value.
 *
 * <p>The Java longest-prefix match: for the flow's (service, family), the distinct prefix lengths of its entries,
 * longest first; for each, the source address masked to that length is looked up in a {@link KeyIndex} of (service,
 * family, length, masked address); the first hit is the longest match. Then a binary search over that entry's
 * segments (sorted by protocol, first port) finds the segment holding (protocol, port), else the entry's miss action.
 * Flows that are neither TCP nor UDP match no rule and get the default action.
 *
 * <p>Immutable: {@link #decide} may run on any thread and allocates nothing; publish a new policy to change rules.
 */
public final class AccessPolicy
{
    private final List<AccessRule> rules;
    private final AccessAction defaultAction;
    private final List<AccessEntry> entries;
    private final KeyIndex prefixes;
    private final KeyIndex lengthLists;
    private final int[] lengths;
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
        prefixes = new KeyIndex(count);
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
        final Map<Long, TreeSet<Integer>> lengthsByServiceFamily = new TreeMap<>();
        int next = 0;
        for (int i = 0; i < count; i++)
        {
            final AccessEntry entry = entries.get(i);
            final IpPrefix source = entry.source();
            prefixes.put(source.hi(), source.lo(), prefixKey(entry.serviceIndex(), source.family(), source.length()), i);
            lengthsByServiceFamily.computeIfAbsent(serviceFamily(entry.serviceIndex(), source.family()),
                key -> new TreeSet<>()).add(source.length());
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

        lengthLists = new KeyIndex(lengthsByServiceFamily.size());
        final List<Integer> flat = new ArrayList<>();
        for (final Map.Entry<Long, TreeSet<Integer>> list : lengthsByServiceFamily.entrySet())
        {
            lengthLists.put(list.getKey(), 0, 0, flat.size());
            flat.add(list.getValue().size());
            flat.addAll(list.getValue().descendingSet());
        }
        lengths = flat.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Compiles {@code rules} (evaluated by ascending priority, ties in list order) with {@code defaultAction} for
     * flows no rule matches.
     */
    public static AccessPolicy compile(final List<AccessRule> rules, final AccessAction defaultAction)
    {
        return new AccessPolicy(rules, defaultAction);
    }

    /**
     * The decision for a flow to service {@code service} from source address {@code (family, hi, lo)} over IP protocol
     * {@code protocol} to destination port {@code port}. Any thread; allocation-free.
     */
    public AccessAction decide(
        final int service, final int family, final long hi, final long lo, final int protocol, final int port)
    {
        if (protocol != L4Protocol.TCP.number() && protocol != L4Protocol.UDP.number())
        {
            return defaultAction;
        }
        final int list = lengthLists.get(serviceFamily(service, family), 0, 0);
        if (list == KeyIndex.ABSENT)
        {
            return defaultAction;
        }
        final int count = lengths[list];
        for (int i = 1; i <= count; i++)
        {
            final int length = lengths[list + i];
            final int entry = prefixes.get(hi & IpPrefix.maskHi(family, length), lo & IpPrefix.maskLo(family, length),
                prefixKey(service, family, length));
            if (entry != KeyIndex.ABSENT)
            {
                return decideInEntry(entry, portKey(protocol, port));
            }
        }
        return defaultAction;
    }

    /** The decision for the flow of a first packet with tuple {@code tuple} to service {@code service}. */
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

    /** The compiled entries, sorted by service, family, prefix length and address: what the BPF maps are filled with. */
    public List<AccessEntry> entries()
    {
        return entries;
    }

    /** The action for flows no rule matches (and for LPM misses on the XDP side). */
    public AccessAction defaultAction()
    {
        return defaultAction;
    }

    /** The rules in evaluation order. */
    public List<AccessRule> rules()
    {
        return rules;
    }

    private static long prefixKey(final int service, final int family, final int length)
    {
        return ((long)service << 16) | ((long)family << 8) | length;
    }

    private static long serviceFamily(final int service, final int family)
    {
        return ((long)service << 8) | family;
    }

    private static int portKey(final int protocol, final int port)
    {
        return (protocol << 16) | port;
    }

    /** Entries whose segments overflow one BPF value. */
    public int overflowCount()
    {
        int overflowing = 0;
        for (final AccessEntry entry : entries)
        {
            overflowing += entry.overflow() ? 1 : 0;
        }
        return overflowing;
    }

    /** The number of IPv4 and IPv6 entries of {@code family}. */
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
