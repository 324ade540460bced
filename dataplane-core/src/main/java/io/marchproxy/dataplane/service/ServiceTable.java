package io.marchproxy.dataplane.service;

import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.net.PortRange;
import io.marchproxy.dataplane.net.TupleHash;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * (VIP, protocol, port) to service index. Single ports live in an open-addressing hash table of primitive arrays
 * (linear probing, load factor at most one half, no boxing): one probe sequence per lookup. Port ranges live in a
 * second hash table keyed by (VIP, protocol) whose entry points at that VIP's ranges sorted by first port, found by a
 * binary search; it is consulted only when the exact table misses. A single port wins over a range that contains it;
 * overlapping ranges of one VIP and protocol, and a single port bound twice, are refused by the builder.
 *
 * <p>Immutable once built: publish a new table to change the configuration. {@link #lookup} may run on any thread,
 * never allocates and never throws.
 */
public final class ServiceTable
{
    /** What {@link #lookup} returns when no service matches. */
    public static final int NO_SERVICE = -1;

    private static final int KEY_WORDS = 3;

    private final List<ServiceBinding> bindings;
    private final int exactMask;
    private final long[] exactKeys;
    private final int[] exactServices;
    private final int groupMask;
    private final long[] groupKeys;
    private final int[] groupStart;
    private final int[] groupCount;
    private final int[] rangeFirst;
    private final int[] rangeLast;
    private final int[] rangeService;

    private ServiceTable(final List<ServiceBinding> bindings)
    {
        this.bindings = List.copyOf(bindings);
        final List<ServiceBinding> exact = new ArrayList<>();
        final Map<IpAddress, Map<L4Protocol, List<ServiceBinding>>> ranges = new HashMap<>();
        for (final ServiceBinding binding : bindings)
        {
            if (binding.ports().isSinglePort())
            {
                exact.add(binding);
            }
            else
            {
                ranges.computeIfAbsent(binding.vip(), vip -> new HashMap<>())
                    .computeIfAbsent(binding.protocol(), protocol -> new ArrayList<>()).add(binding);
            }
        }

        final int exactSlots = slotsFor(exact.size());
        exactMask = exactSlots - 1;
        exactKeys = new long[exactSlots * KEY_WORDS];
        exactServices = new int[exactSlots];
        Arrays.fill(exactServices, NO_SERVICE);
        for (final ServiceBinding binding : exact)
        {
            final IpAddress vip = binding.vip();
            final long meta = meta(vip.family(), binding.protocol().number(), binding.ports().first());
            final int slot = findSlot(exactKeys, exactServices, NO_SERVICE, exactMask, vip.hi(), vip.lo(), meta);
            if (exactServices[slot] != NO_SERVICE)
            {
                throw new IllegalArgumentException("bound twice: " + binding);
            }
            store(exactKeys, slot, vip.hi(), vip.lo(), meta);
            exactServices[slot] = binding.serviceIndex();
        }

        int groups = 0;
        int rangeTotal = 0;
        for (final Map<L4Protocol, List<ServiceBinding>> byProtocol : ranges.values())
        {
            groups += byProtocol.size();
            for (final List<ServiceBinding> list : byProtocol.values())
            {
                rangeTotal += list.size();
            }
        }
        final int groupSlots = slotsFor(groups);
        groupMask = groupSlots - 1;
        groupKeys = new long[groupSlots * KEY_WORDS];
        groupStart = new int[groupSlots];
        groupCount = new int[groupSlots];
        rangeFirst = new int[rangeTotal];
        rangeLast = new int[rangeTotal];
        rangeService = new int[rangeTotal];
        int next = 0;
        for (final Map.Entry<IpAddress, Map<L4Protocol, List<ServiceBinding>>> byVip : ranges.entrySet())
        {
            final IpAddress vip = byVip.getKey();
            for (final Map.Entry<L4Protocol, List<ServiceBinding>> byProtocol : byVip.getValue().entrySet())
            {
                final List<ServiceBinding> sorted = new ArrayList<>(byProtocol.getValue());
                sorted.sort(Comparator.comparingInt(binding -> binding.ports().first()));
                final long meta = meta(vip.family(), byProtocol.getKey().number(), 0);
                final int slot = findSlot(groupKeys, groupCount, 0, groupMask, vip.hi(), vip.lo(), meta);
                store(groupKeys, slot, vip.hi(), vip.lo(), meta);
                groupStart[slot] = next;
                groupCount[slot] = sorted.size();
                for (int i = 0; i < sorted.size(); i++)
                {
                    final PortRange range = sorted.get(i).ports();
                    if (i > 0 && sorted.get(i - 1).ports().overlaps(range))
                    {
                        throw new IllegalArgumentException("overlapping port ranges: " + sorted.get(i - 1)
                            + " and " + sorted.get(i));
                    }
                    rangeFirst[next] = range.first();
                    rangeLast[next] = range.last();
                    rangeService[next] = sorted.get(i).serviceIndex();
                    next++;
                }
            }
        }
    }

    /** A builder for a new table. */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * The service of traffic to {@code (family, hi, lo)} over IP protocol {@code protocol} on {@code port}, or
     * {@link #NO_SERVICE}. Any thread; allocation-free.
     */
    public int lookup(final int family, final long hi, final long lo, final int protocol, final int port)
    {
        final long meta = meta(family, protocol, port);
        int slot = (int)TupleHash.hash(hi, lo, meta) & exactMask;
        while (true)
        {
            final int service = exactServices[slot];
            if (service == NO_SERVICE)
            {
                break;
            }
            final int k = slot * KEY_WORDS;
            if (exactKeys[k + 2] == meta && exactKeys[k] == hi && exactKeys[k + 1] == lo)
            {
                return service;
            }
            slot = (slot + 1) & exactMask;
        }
        return rangeFirst.length == 0 ? NO_SERVICE : lookupRange(family, hi, lo, protocol, port);
    }

    /** The service of a packet whose tuple is {@code tuple}: looked up by its destination. */
    public int lookup(final FlowTuple tuple)
    {
        return lookup(tuple.family(), tuple.destinationHi(), tuple.destinationLo(), tuple.protocol(),
            tuple.destinationPort());
    }

    private int lookupRange(final int family, final long hi, final long lo, final int protocol, final int port)
    {
        final long meta = meta(family, protocol, 0);
        int slot = (int)TupleHash.hash(hi, lo, meta) & groupMask;
        while (true)
        {
            final int count = groupCount[slot];
            if (count == 0)
            {
                return NO_SERVICE;
            }
            final int k = slot * KEY_WORDS;
            if (groupKeys[k + 2] == meta && groupKeys[k] == hi && groupKeys[k + 1] == lo)
            {
                return searchRanges(groupStart[slot], count, port);
            }
            slot = (slot + 1) & groupMask;
        }
    }

    /** The range among {@code count} sorted ones from {@code start} that holds {@code port}. */
    private int searchRanges(final int start, final int count, final int port)
    {
        int low = start;
        int high = start + count - 1;
        while (low <= high)
        {
            final int middle = (low + high) >>> 1;
            if (rangeFirst[middle] <= port)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return high >= start && port <= rangeLast[high] ? rangeService[high] : NO_SERVICE;
    }

    /** Bindings in the table, in the order they were added: what the XDP side's service map is filled from. */
    public List<ServiceBinding> bindings()
    {
        return bindings;
    }

    /** Number of bindings. */
    public int size()
    {
        return bindings.size();
    }

    private static long meta(final int family, final int protocol, final int port)
    {
        return ((long)family << 32) | ((long)(protocol & 0xFF) << 16) | (port & 0xFFFF);
    }

    private static int slotsFor(final int entries)
    {
        return Math.max(2, Integer.highestOneBit(Math.max(1, entries) * 2 - 1) << 1);
    }

    /** The slot holding the key, or the free slot where it goes; a slot is free while {@code marks[slot] == free}. */
    private static int findSlot(
        final long[] keys,
        final int[] marks,
        final int free,
        final int mask,
        final long hi,
        final long lo,
        final long meta)
    {
        int slot = (int)TupleHash.hash(hi, lo, meta) & mask;
        while (marks[slot] != free)
        {
            final int k = slot * KEY_WORDS;
            if (keys[k + 2] == meta && keys[k] == hi && keys[k + 1] == lo)
            {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private static void store(final long[] keys, final int slot, final long hi, final long lo, final long meta)
    {
        final int k = slot * KEY_WORDS;
        keys[k] = hi;
        keys[k + 1] = lo;
        keys[k + 2] = meta;
    }

    /** Collects bindings; {@link #build()} checks them and makes the table. Not thread-safe. */
    public static final class Builder
    {
        private final List<ServiceBinding> bindings = new ArrayList<>();

        private Builder()
        {
        }

        /** Adds a binding. */
        public Builder add(final ServiceBinding binding)
        {
            bindings.add(binding);
            return this;
        }

        /** Adds the binding of {@code vip}, {@code protocol} and {@code ports} to {@code serviceIndex}. */
        public Builder add(final IpAddress vip, final L4Protocol protocol, final PortRange ports, final int serviceIndex)
        {
            return add(new ServiceBinding(vip, protocol, ports, serviceIndex));
        }

        /**
         * The table. Throws {@link IllegalArgumentException} for a single port bound twice or two overlapping ranges
         * of one VIP and protocol.
         */
        public ServiceTable build()
        {
            return new ServiceTable(bindings);
        }
    }
}
