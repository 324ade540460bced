package io.marchproxy.dataplane.acl;

import io.marchproxy.dataplane.net.IpPrefix;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.net.PortRange;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compiles rules into {@link AccessEntry}s, one per (service, distinct source prefix of a rule of that service).
 *
 * <p>Why one entry per prefix suffices, and why its value may be computed from the rules whose prefix contains it.
 * Fix a service S and an address a, and let P be the longest inserted prefix of S containing a (what an LPM trie
 * returns). Let R(a) be the rules of S with a source containing a, and R(P) those with a source containing all of P.
 * If q contains P, q contains a, so R(P) is within R(a). Conversely let r be in R(a) through a source q that contains
 * a. Every source of every rule of S was inserted, so q was, and P is the longest inserted prefix containing a, so q
 * is no longer than P. Two prefixes that both contain a are nested (the shorter is a prefix of the longer), hence q
 * contains P and r is in R(P). So R(a) = R(P), in the same priority order, and the first rule of R(a) matching the
 * protocol and port is the first of R(P): the entry of P decides exactly as the rules would. When no inserted prefix
 * contains a, no rule of S has a source containing a, and the default decides. The only inputs left are protocol and
 * port, which the entry resolves into disjoint port segments per protocol.
 *
 * <p>Configuration-time code: allocates freely. Not thread-safe (each call is independent).
 */
final class AccessRuleCompiler
{
    private static final Comparator<IpPrefix> PREFIX_ORDER = Comparator.comparingInt(IpPrefix::family)
        .thenComparingInt(IpPrefix::length)
        .thenComparing(IpPrefix::hi, Long::compareUnsigned)
        .thenComparing(IpPrefix::lo, Long::compareUnsigned);

    private AccessRuleCompiler()
    {
    }

    /** Rules sorted by priority, ties in list order (the sort is stable). */
    static List<AccessRule> ordered(final List<AccessRule> rules)
    {
        final List<AccessRule> ordered = new ArrayList<>(rules);
        ordered.sort(Comparator.comparingInt(AccessRule::priority));
        return List.copyOf(ordered);
    }

    /** The entries of {@code ordered} rules, sorted by service, family, prefix length, address. */
    static List<AccessEntry> compile(final List<AccessRule> ordered, final AccessAction defaultAction)
    {
        final Map<Integer, List<AccessRule>> byService = new TreeMap<>();
        for (final AccessRule rule : ordered)
        {
            for (final Integer service : rule.services())
            {
                byService.computeIfAbsent(service, s -> new ArrayList<>()).add(rule);
            }
        }
        final List<AccessEntry> entries = new ArrayList<>();
        for (final Map.Entry<Integer, List<AccessRule>> service : byService.entrySet())
        {
            final List<AccessRule> rules = service.getValue();
            final Set<IpPrefix> prefixes = new TreeSet<>(PREFIX_ORDER);
            for (final AccessRule rule : rules)
            {
                prefixes.addAll(rule.sources());
            }
            for (final IpPrefix prefix : prefixes)
            {
                final List<AccessRule> containing = new ArrayList<>();
                for (final AccessRule rule : rules)
                {
                    if (rule.containsSource(prefix))
                    {
                        containing.add(rule);
                    }
                }
                entries.add(entry(service.getKey(), prefix, containing, defaultAction));
            }
        }
        return entries;
    }

    /**
     * The entry of {@code prefix}: the first-match decision of {@code rules} over every (protocol, port), as runs of
     * equal action; the action with more runs becomes the miss action (ties: the default) and only the other
     * action's runs are kept as segments.
     */
    private static AccessEntry entry(
        final int service, final IpPrefix prefix, final List<AccessRule> rules, final AccessAction defaultAction)
    {
        final List<PortSegment> runs = new ArrayList<>();
        for (final L4Protocol protocol : L4Protocol.values())
        {
            runs(protocol, rules, defaultAction, runs);
        }
        int allows = 0;
        for (final PortSegment run : runs)
        {
            allows += run.action() == AccessAction.ALLOW ? 1 : 0;
        }
        final int denies = runs.size() - allows;
        final AccessAction miss = allows > denies
            ? AccessAction.ALLOW
            : denies > allows ? AccessAction.DENY : defaultAction;
        final List<PortSegment> segments = new ArrayList<>();
        for (final PortSegment run : runs)
        {
            if (run.action() != miss)
            {
                segments.add(run);
            }
        }
        return new AccessEntry(service, prefix, miss, segments);
    }

    /** Appends the maximal runs of equal decision over ports 0..65535 of {@code protocol}. */
    private static void runs(
        final L4Protocol protocol,
        final List<AccessRule> rules,
        final AccessAction defaultAction,
        final List<PortSegment> out)
    {
        final List<AccessRule> relevant = new ArrayList<>();
        final Set<Integer> cuts = new TreeSet<>();
        cuts.add(0);
        for (final AccessRule rule : rules)
        {
            if (rule.protocols().contains(protocol))
            {
                relevant.add(rule);
                for (final PortRange range : rule.ports())
                {
                    cuts.add(range.first());
                    if (range.last() < 65535)
                    {
                        cuts.add(range.last() + 1);
                    }
                }
            }
        }
        final List<Integer> starts = new ArrayList<>(cuts);
        int runStart = 0;
        AccessAction runAction = null;
        for (int i = 0; i < starts.size(); i++)
        {
            final int start = starts.get(i);
            final AccessAction action = firstMatch(relevant, start, defaultAction);
            if (runAction != null && action != runAction)
            {
                out.add(new PortSegment(protocol, new PortRange(runStart, start - 1), runAction));
                runStart = start;
            }
            runAction = action;
        }
        out.add(new PortSegment(protocol, new PortRange(runStart, 65535), runAction));
    }

    private static AccessAction firstMatch(final List<AccessRule> rules, final int port, final AccessAction otherwise)
    {
        for (final AccessRule rule : rules)
        {
            if (rule.containsPort(port))
            {
                return rule.action();
            }
        }
        return otherwise;
    }
}
