package io.marchproxy.dataplane.service;

import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.net.IntervalSearch;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.IpFamily;
import io.marchproxy.dataplane.net.KeyIndex;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.net.LongKeyIndex;
import io.marchproxy.dataplane.net.PortRange;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * (VIP, protocol, port) to service index. Single ports live in open-addressing indexes over primitive arrays (no
 * boxing): IPv4 ones in a {@link LongKeyIndex} keyed by one word of address, protocol and port (one word hashed, one
 * compared), IPv6 ones in a {@link KeyIndex}; one probe sequence per lookup. Port ranges live in a second index keyed
 * by (VIP, protocol) whose entry points at that VIP's ranges sorted by first port, found by a binary search; it is
 * consulted only when the exact index misses. A single port wins over a range that contains it; overlapping ranges of
 * one VIP and protocol, and a single port bound twice, are refused by the builder.
 *
 * <p>Immutable once built: publish a new table to change the configuration. {@link #lookup} may run on any thread,
 * never allocates and never throws.
 */
public final class ServiceTable
{
    /** What {@link #lookup} returns when no service matches. */
    public static final int NO_SERVICE = KeyIndex.ABSENT;

    private final List<ServiceBinding> bindings;
    private final LongKeyIndex exact4;
    private final KeyIndex exact6;
    private final KeyIndex groups;
    private final int[] groupStart;
    private final int[] groupCount;
    private final int[] rangeFirst;
    private final int[] rangeLast;
    private final int[] rangeService;

    private ServiceTable(final List<ServiceBinding> bindings)
    {
        this.bindings = List.copyOf(bindings);
        final List<ServiceBinding> singles = new ArrayList<>();
        final Map<IpAddress, Map<L4Protocol, List<ServiceBinding>>> ranges = new HashMap<>();
        int rangeTotal = 0;
        for (final ServiceBinding binding : bindings)
        {
            if (binding.ports().isSinglePort())
            {
                singles.add(binding);
            }
            else
            {
                ranges.computeIfAbsent(binding.vip(), vip -> new HashMap<>())
                    .computeIfAbsent(binding.protocol(), protocol -> new ArrayList<>()).add(binding);
                rangeTotal++;
            }
        }

        int singles4 = 0;
        for (final ServiceBinding binding : singles)
        {
            singles4 += binding.vip().family() == IpFamily.IPV4 ? 1 : 0;
        }
        exact4 = new LongKeyIndex(singles4);
        exact6 = new KeyIndex(singles.size() - singles4);
        for (final ServiceBinding binding : singles)
        {
            final IpAddress vip = binding.vip();
            final int protocol = binding.protocol().number();
            final int port = binding.ports().first();
            final boolean added = vip.family() == IpFamily.IPV4
                ? exact4.put(key4(vip.lo(), protocol, port), binding.serviceIndex())
                : exact6.put(vip.hi(), vip.lo(), meta(vip.family(), protocol, port), binding.serviceIndex());
            if (!added)
            {
                throw new IllegalArgumentException("bound twice: " + binding);
            }
        }

        int groupTotal = 0;
        for (final Map<L4Protocol, List<ServiceBinding>> byProtocol : ranges.values())
        {
            groupTotal += byProtocol.size();
        }
        groups = new KeyIndex(groupTotal);
        groupStart = new int[groupTotal];
        groupCount = new int[groupTotal];
        rangeFirst = new int[rangeTotal];
        rangeLast = new int[rangeTotal];
        rangeService = new int[rangeTotal];
        int group = 0;
        int next = 0;
        for (final Map.Entry<IpAddress, Map<L4Protocol, List<ServiceBinding>>> byVip : ranges.entrySet())
        {
            final IpAddress vip = byVip.getKey();
            for (final Map.Entry<L4Protocol, List<ServiceBinding>> byProtocol : byVip.getValue().entrySet())
            {
                final List<ServiceBinding> sorted = new ArrayList<>(byProtocol.getValue());
                sorted.sort(Comparator.comparingInt(binding -> binding.ports().first()));
                groups.put(vip.hi(), vip.lo(), meta(vip.family(), byProtocol.getKey().number(), 0), group);
                groupStart[group] = next;
                groupCount[group] = sorted.size();
                group++;
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

    /** {@return a builder for a new table} */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * The service of traffic to {@code (family, hi, lo)} over IP protocol {@code protocol} on {@code port}, or
     * {@link #NO_SERVICE}. Any thread; allocation-free.
     *
     * @param family the destination's family
     * @param hi its high 64 bits (IPv4: 0)
     * @param lo its low 64 bits
     * @param protocol the IP protocol
     * @param port the destination port
     * @return the service's index, or {@link #NO_SERVICE}
     */
    public int lookup(final int family, final long hi, final long lo, final int protocol, final int port)
    {
        final int service;
        if (family == IpFamily.IPV4)
        {
            if ((hi | lo >>> 32) != 0)
            {
                return NO_SERVICE; // not an IPv4 address: no IPv4 binding, single or range, can match
            }
            service = exact4.get(key4(lo, protocol, port));
        }
        else
        {
            service = exact6.get(hi, lo, meta(family, protocol, port));
        }
        if (service != KeyIndex.ABSENT || rangeFirst.length == 0)
        {
            return service;
        }
        final int group = groups.get(hi, lo, meta(family, protocol, 0));
        if (group == KeyIndex.ABSENT)
        {
            return NO_SERVICE;
        }
        final int start = groupStart[group];
        final int range = IntervalSearch.indexOf(rangeFirst, rangeLast, start, start + groupCount[group], port);
        return range == IntervalSearch.NONE ? NO_SERVICE : rangeService[range];
    }

    /**
     * {@return the service of a packet whose tuple is {@code tuple}: looked up by its destination}
     *
     * @param tuple a packet's 5-tuple
     */
    public int lookup(final FlowTuple tuple)
    {
        return lookup(tuple.family(), tuple.destinationHi(), tuple.destinationLo(), tuple.protocol(),
            tuple.destinationPort());
    }

    /** {@return bindings in the table, in the order they were added: what the XDP side's service map is filled from} */
    public List<ServiceBinding> bindings()
    {
        return bindings;
    }

    /** {@return number of bindings} */
    public int size()
    {
        return bindings.size();
    }

    /** The one-word key of an IPv4 single-port binding: address, protocol, port. */
    private static long key4(final long address, final int protocol, final int port)
    {
        return address << 32 | (long)(protocol & 0xFF) << 16 | (port & 0xFFFF);
    }

    private static long meta(final int family, final int protocol, final int port)
    {
        return ((long)family << 32) | ((long)(protocol & 0xFF) << 16) | (port & 0xFFFF);
    }

    /** Collects bindings; {@link #build()} checks them and makes the table. Not thread-safe. */
    public static final class Builder
    {
        private final List<ServiceBinding> bindings = new ArrayList<>();

        private Builder()
        {
        }

        /**
         * Adds a binding.
         *
         * @param binding the binding
         * @return this builder
         */
        public Builder add(final ServiceBinding binding)
        {
            bindings.add(binding);
            return this;
        }

        /**
         * Adds the binding of {@code vip}, {@code protocol} and {@code ports} to {@code serviceIndex}.
         *
         * @param vip the VIP
         * @param protocol TCP or UDP
         * @param ports one port or a range
         * @param serviceIndex the service's index
         * @return this builder
         */
        public Builder add(
            final IpAddress vip, final L4Protocol protocol, final PortRange ports, final int serviceIndex)
        {
            return add(new ServiceBinding(vip, protocol, ports, serviceIndex));
        }

        /**
         * The table. Throws {@link IllegalArgumentException} for a single port bound twice or two overlapping ranges
         * of one VIP and protocol.
         *
         * @return the table
         * @throws IllegalArgumentException when bindings overlap
         */
        public ServiceTable build()
        {
            return new ServiceTable(bindings);
        }
    }
}
