package io.marchproxy.dataplane.acl;

import io.marchproxy.dataplane.net.IpFamily;
import io.marchproxy.dataplane.net.IpPrefix;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;

/**
 * Longest-prefix match without hashing: the prefixes of one (service, family) are nested or disjoint, so they cut the
 * address space into intervals, each of which has one longest prefix containing it (or none). The intervals are kept
 * as sorted start addresses with the entry of that longest prefix; a lookup is one binary search (at most 2P + 1
 * intervals for P prefixes). Addresses compare as unsigned 128-bit numbers {@code (hi, lo)}; IPv4 has {@code hi == 0}.
 *
 * <p>An IPv4 group of more than {@value #BUCKETED_ABOVE} intervals also gets 257 counts by top address byte, so the
 * search covers only the intervals of the address's /8 (usually one or two) instead of the whole group: the binary
 * search is a chain of dependent loads, each step costing a load latency.
 *
 * <p>Each interval also carries its decision when that needs no port: the entry's miss action when the entry has no
 * port segments, the policy's default action for an interval no prefix covers ({@link #fixedAction}), so the common
 * decision ends with the search instead of two more dependent loads.
 *
 * <p>Groups are {@code service * 2 + (IPv6 ? 1 : 0)}, so a service's groups are found by index, not by hash. Built
 * once from the sorted entries of a policy; immutable; {@link #interval} is allocation-free.
 */
final class PrefixIntervals
{
    static final int NO_ENTRY = -1;

    /** IPv4 groups with more intervals than this get a first-level index on the address's top byte. */
    static final int BUCKETED_ABOVE = 8;
    private static final int BUCKETS = 256;

    private final int groupCount;
    private final int[] groupStart;
    private final int[] bucketsAt;
    private final int[] buckets;
    private final long[] startHi;
    private final long[] startLo;
    private final int[] entry;
    private final AccessAction[] fixed;

    /**
     * Intervals of {@code entries}, which are sorted by service, family (4 before 6), length and address; flows in no
     * entry get {@code defaultAction}.
     */
    PrefixIntervals(final List<AccessEntry> entries, final AccessAction defaultAction)
    {
        int maxService = -1;
        for (final AccessEntry e : entries)
        {
            maxService = Math.max(maxService, e.serviceIndex());
        }
        groupCount = 2 * (maxService + 1);
        groupStart = new int[groupCount + 1];
        final List<long[]> intervals = new ArrayList<>();
        int from = 0;
        for (int group = 0; group < groupCount; group++)
        {
            groupStart[group] = intervals.size();
            int to = from;
            while (to < entries.size() && group(entries.get(to)) == group)
            {
                to++;
            }
            if (to > from)
            {
                addGroup(entries, from, to, intervals);
            }
            from = to;
        }
        groupStart[groupCount] = intervals.size();
        startHi = new long[intervals.size()];
        startLo = new long[intervals.size()];
        entry = new int[intervals.size()];
        fixed = new AccessAction[intervals.size()];
        for (int i = 0; i < intervals.size(); i++)
        {
            startHi[i] = intervals.get(i)[0];
            startLo[i] = intervals.get(i)[1];
            entry[i] = (int)intervals.get(i)[2];
            if (entry[i] == NO_ENTRY)
            {
                fixed[i] = defaultAction;
            }
            else if (entries.get(entry[i]).segments().isEmpty())
            {
                fixed[i] = entries.get(entry[i]).missAction();
            }
        }
        bucketsAt = new int[groupCount];
        final List<Integer> flat = new ArrayList<>();
        for (int group = 0; group < groupCount; group++)
        {
            final int from0 = groupStart[group];
            final int count = groupStart[group + 1] - from0;
            if (group % 2 == 1 || count <= BUCKETED_ABOVE)
            {
                bucketsAt[group] = -1;
                continue;
            }
            // boundary[b]: intervals of the group starting below b << 24, for b = 0..256.
            bucketsAt[group] = flat.size();
            int below = 0;
            for (int b = 0; b <= BUCKETS; b++)
            {
                final long limit = (long)b << 24;
                while (below < count && startLo[from0 + below] < limit)
                {
                    below++;
                }
                flat.add(below);
            }
        }
        buckets = flat.stream().mapToInt(Integer::intValue).toArray();
    }

    static int group(final AccessEntry entry)
    {
        return group(entry.serviceIndex(), entry.source().family());
    }

    static int group(final int service, final int family)
    {
        return service * 2 + (family == IpFamily.IPV6 ? 1 : 0);
    }

    /** The entry of interval {@code interval} (the longest prefix containing it), or {@link #NO_ENTRY} for a gap. */
    int entry(final int interval)
    {
        return entry[interval];
    }

    /**
     * The decision of every flow from interval {@code interval} when it needs no port (the entry has no segments, or
     * no prefix covers the interval), else null: look the port up in {@link #entry}'s segments.
     */
    AccessAction fixedAction(final int interval)
    {
        return fixed[interval];
    }

    /**
     * The interval of {@code (service, family)} holding the address, or {@link #NO_ENTRY} when the address precedes
     * every interval of the group (so no prefix covers it).
     */
    int interval(final int service, final int family, final long hi, final long lo)
    {
        if (service < 0 || (family != IpFamily.IPV4 && family != IpFamily.IPV6))
        {
            return NO_ENTRY;
        }
        final int group = group(service, family);
        if (group >= groupCount)
        {
            return NO_ENTRY;
        }
        int from = groupStart[group];
        int count = groupStart[group + 1] - from;
        if (family == IpFamily.IPV4 && bucketsAt[group] >= 0)
        {
            // The answer is the last interval starting at or before the address: the one before the address's bucket
            // or one inside it.
            final int at = bucketsAt[group] + (int)(lo >>> 24);
            final int before = Math.max(buckets[at] - 1, 0);
            count = buckets[at + 1] - before;
            from += before;
        }
        if (count <= 0)
        {
            return NO_ENTRY;
        }
        // Branch-free lower bound (the JIT turns the conditional into a cmov): the last start <= the address.
        int base = from;
        if (family == IpFamily.IPV4)
        {
            // IPv4 starts are below 2^32, so a signed compare of lo alone orders them.
            while (count > 1)
            {
                final int half = count >>> 1;
                base = startLo[base + half] <= lo ? base + half : base;
                count -= half;
            }
            return startLo[base] <= lo ? base : NO_ENTRY;
        }
        while (count > 1)
        {
            final int half = count >>> 1;
            base = notAfter(base + half, hi, lo) ? base + half : base;
            count -= half;
        }
        return notAfter(base, hi, lo) ? base : NO_ENTRY;
    }

    /** True when interval {@code i} starts at or before {@code (hi, lo)}, unsigned. */
    private boolean notAfter(final int i, final long hi, final long lo)
    {
        final int order = Long.compareUnsigned(startHi[i], hi);
        return order < 0 || (order == 0 && Long.compareUnsigned(startLo[i], lo) <= 0);
    }

    /**
     * Sweeps the prefixes of one group in address order (outer before inner at equal starts), keeping the open ones
     * on a stack: a prefix starts an interval of its own; when it ends, the interval after it belongs to the prefix
     * that encloses it, or to none.
     */
    private static void addGroup(
        final List<AccessEntry> entries, final int from, final int to, final List<long[]> out)
    {
        final List<Integer> order = new ArrayList<>();
        for (int i = from; i < to; i++)
        {
            order.add(i);
        }
        order.sort(Comparator.<Integer, IpPrefix>comparing(i -> entries.get(i).source(), PrefixIntervals::compareStart)
            .thenComparingInt(i -> entries.get(i).source().length()));
        final int first = out.size();
        final Deque<Integer> open = new ArrayDeque<>();
        for (final int i : order)
        {
            final IpPrefix prefix = entries.get(i).source();
            closeBefore(entries, open, prefix.hi(), prefix.lo(), first, out);
            emit(out, first, prefix.hi(), prefix.lo(), i);
            open.push(i);
        }
        closeBefore(entries, open, -1L, -1L, first, out);
    }

    /** Pops the open prefixes that end before {@code (hi, lo)} (all of them for the all-ones address). */
    private static void closeBefore(
        final List<AccessEntry> entries,
        final Deque<Integer> open,
        final long hi,
        final long lo,
        final int first,
        final List<long[]> out)
    {
        final boolean all = hi == -1L && lo == -1L;
        while (!open.isEmpty())
        {
            final IpPrefix top = entries.get(open.peek()).source();
            final long endHi = top.hi() | ~IpPrefix.maskHi(top.family(), top.length()) & familyHiBits(top.family());
            final long endLo = top.lo() | ~IpPrefix.maskLo(top.family(), top.length()) & familyLoBits(top.family());
            final int order = Long.compareUnsigned(endHi, hi);
            if (!all && (order > 0 || (order == 0 && Long.compareUnsigned(endLo, lo) >= 0)))
            {
                return;
            }
            open.pop();
            final boolean atTop = endLo == familyLoBits(top.family()) && endHi == familyHiBits(top.family());
            if (!atTop)
            {
                final long nextLo = endLo + 1;
                final long nextHi = nextLo == 0 ? endHi + 1 : endHi;
                emit(out, first, nextHi, nextLo, open.isEmpty() ? NO_ENTRY : open.peek());
            }
        }
    }

    /** Appends an interval, replacing one that starts at the same address and merging with an equal predecessor. */
    private static void emit(final List<long[]> out, final int first, final long hi, final long lo, final int entry)
    {
        if (out.size() > first)
        {
            final long[] last = out.get(out.size() - 1);
            if (last[0] == hi && last[1] == lo)
            {
                out.remove(out.size() - 1);
            }
        }
        if (out.size() > first && out.get(out.size() - 1)[2] == entry)
        {
            return;
        }
        out.add(new long[] {hi, lo, entry});
    }

    private static int compareStart(final IpPrefix a, final IpPrefix b)
    {
        final int order = Long.compareUnsigned(a.hi(), b.hi());
        return order != 0 ? order : Long.compareUnsigned(a.lo(), b.lo());
    }

    private static long familyHiBits(final int family)
    {
        return family == IpFamily.IPV4 ? 0L : -1L;
    }

    private static long familyLoBits(final int family)
    {
        return family == IpFamily.IPV4 ? 0xFFFF_FFFFL : -1L;
    }
}
