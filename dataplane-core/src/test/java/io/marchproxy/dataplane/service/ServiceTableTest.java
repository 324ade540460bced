package io.marchproxy.dataplane.service;

import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.net.PortRange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ServiceTableTest
{
    @Test
    void exactPortsRangesAndPrecedence()
    {
        final IpAddress vip = IpAddress.parse("192.0.2.10");
        final IpAddress vip6 = IpAddress.parse("2001:db8::10");
        final ServiceTable table = ServiceTable.builder()
            .add(vip, L4Protocol.TCP, PortRange.of(80), 1)
            .add(vip, L4Protocol.UDP, PortRange.of(80), 2)
            .add(vip, L4Protocol.TCP, new PortRange(8000, 8999), 3)
            .add(vip, L4Protocol.TCP, PortRange.of(8443), 4)
            .add(vip6, L4Protocol.TCP, new PortRange(1, 1023), 5)
            .build();
        assertEquals(1, table.lookup(4, 0, vip.lo(), 6, 80));
        assertEquals(2, table.lookup(4, 0, vip.lo(), 17, 80));
        assertEquals(3, table.lookup(4, 0, vip.lo(), 6, 8000));
        assertEquals(3, table.lookup(4, 0, vip.lo(), 6, 8999));
        assertEquals(4, table.lookup(4, 0, vip.lo(), 6, 8443), "a single port wins over the range around it");
        assertEquals(ServiceTable.NO_SERVICE, table.lookup(4, 0, vip.lo(), 6, 9000));
        assertEquals(ServiceTable.NO_SERVICE, table.lookup(4, 0, vip.lo(), 17, 8000));
        assertEquals(5, table.lookup(6, vip6.hi(), vip6.lo(), 6, 22));
        assertEquals(ServiceTable.NO_SERVICE, table.lookup(6, vip6.hi(), vip6.lo(), 6, 1024));
        assertEquals(ServiceTable.NO_SERVICE, table.lookup(6, 0, vip.lo(), 6, 80), "family is part of the key");
        assertEquals(ServiceTable.NO_SERVICE, table.lookup(4, 1, vip.lo(), 6, 80), "an IPv4 address has hi == 0");
        assertEquals(ServiceTable.NO_SERVICE, table.lookup(4, 0, vip.lo() | 1L << 32, 6, 80), "and 32 bits");
        assertEquals(ServiceTable.NO_SERVICE, table.lookup(4, 0, vip.lo() | 1L << 32, 6, 8000), "ranges too");
        assertEquals(1, table.lookup(new FlowTuple().set(6, IpAddress.parse("10.0.0.1"), 5555, vip, 80)));
        assertEquals(5, table.size());
    }

    @Test
    void refusesAmbiguousConfigurations()
    {
        final IpAddress vip = IpAddress.parse("10.0.0.1");
        assertThrows(IllegalArgumentException.class, () -> ServiceTable.builder()
            .add(vip, L4Protocol.TCP, PortRange.of(80), 1).add(vip, L4Protocol.TCP, PortRange.of(80), 2).build());
        assertThrows(IllegalArgumentException.class, () -> ServiceTable.builder()
            .add(vip, L4Protocol.TCP, new PortRange(10, 20), 1).add(vip, L4Protocol.TCP, new PortRange(20, 30), 2)
            .build());
        assertThrows(IllegalArgumentException.class, () -> new ServiceBinding(vip, L4Protocol.TCP, PortRange.ALL, -1));
        assertEquals(ServiceTable.NO_SERVICE, ServiceTable.builder().build().lookup(4, 0, 1, 6, 1));
    }

    @Test
    void tenThousandServicesAgreeWithALinearScan()
    {
        final SplittableRandom random = new SplittableRandom(10_000);
        final List<IpAddress> vips = new ArrayList<>();
        for (int i = 0; i < 4_500; i++)
        {
            vips.add(random.nextBoolean()
                ? IpAddress.ipv4(random.nextInt())
                : IpAddress.ipv6(0x2001_0db8_0000_0000L | random.nextInt(1 << 16), random.nextLong()));
        }
        final List<ServiceBinding> bindings = new ArrayList<>();
        final ServiceTable.Builder builder = ServiceTable.builder();
        for (final IpAddress vip : vips)
        {
            for (final L4Protocol protocol : L4Protocol.values())
            {
                // Disjoint ranges per (VIP, protocol): walk up the port space in random steps.
                int port = random.nextInt(1, 2000);
                final int count = random.nextInt(3);
                for (int j = 0; j < count && port < 60000; j++)
                {
                    final boolean range = random.nextInt(3) == 0;
                    final int last = range ? port + random.nextInt(1, 500) : port;
                    final ServiceBinding binding = new ServiceBinding(vip, protocol, new PortRange(port, last),
                        bindings.size());
                    bindings.add(binding);
                    builder.add(binding);
                    port = last + 1 + random.nextInt(2000);
                }
            }
        }
        // Single ports inside ranges, which must win.
        for (final ServiceBinding binding : List.copyOf(bindings))
        {
            if (!binding.ports().isSinglePort() && random.nextBoolean())
            {
                final ServiceBinding inner = new ServiceBinding(binding.vip(), binding.protocol(),
                    PortRange.of(binding.ports().first() + 1), bindings.size());
                bindings.add(inner);
                builder.add(inner);
            }
        }
        final ServiceTable table = builder.build();
        assertEquals(true, bindings.size() >= 10_000, "services: " + bindings.size());
        final Map<List<Object>, List<ServiceBinding>> byVip = new HashMap<>();
        for (final ServiceBinding binding : bindings)
        {
            byVip.computeIfAbsent(List.of(binding.vip(), binding.protocol().number()), key -> new ArrayList<>())
                .add(binding);
        }

        int hits = 0;
        for (int n = 0; n < 200_000; n++)
        {
            final ServiceBinding near = bindings.get(random.nextInt(bindings.size()));
            final IpAddress vip = n % 10 == 0 ? IpAddress.ipv4(random.nextInt()) : near.vip();
            final int protocol = random.nextInt(5) == 0 ? 23 - near.protocol().number() : near.protocol().number();
            final int port = n % 3 == 0 ? random.nextInt(65536) : nearBoundary(near, random);
            final int expected = reference(byVip, vip, protocol, port);
            assertEquals(expected, table.lookup(vip.family(), vip.hi(), vip.lo(), protocol, port),
                () -> vip + " " + protocol + " " + port);
            if (expected != ServiceTable.NO_SERVICE)
            {
                hits++;
            }
        }
        for (final ServiceBinding binding : bindings)
        {
            final IpAddress vip = binding.vip();
            assertEquals(reference(byVip, vip, binding.protocol().number(), binding.ports().last()),
                table.lookup(vip.family(), vip.hi(), vip.lo(), binding.protocol().number(), binding.ports().last()));
        }
        assertEquals(true, hits > 50_000 && hits < 190_000, "hits: " + hits);
    }

    private static int nearBoundary(final ServiceBinding binding, final SplittableRandom random)
    {
        final int base = random.nextBoolean() ? binding.ports().first() : binding.ports().last();
        return Math.max(0, Math.min(65535, base + random.nextInt(-1, 2)));
    }

    /** The plain semantics over the bindings of the VIP and protocol: a single port first, else a range. */
    private static int reference(
        final Map<List<Object>, List<ServiceBinding>> byVip, final IpAddress vip, final int protocol, final int port)
    {
        int range = ServiceTable.NO_SERVICE;
        for (final ServiceBinding binding : byVip.getOrDefault(List.of(vip, protocol), List.of()))
        {
            if (binding.ports().contains(port))
            {
                if (binding.ports().isSinglePort())
                {
                    return binding.serviceIndex();
                }
                range = binding.serviceIndex();
            }
        }
        return range;
    }
}
