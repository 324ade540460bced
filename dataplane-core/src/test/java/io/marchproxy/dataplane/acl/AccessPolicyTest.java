package io.marchproxy.dataplane.acl;

import io.marchproxy.dataplane.bpf.L4AccessEncoding;
import io.marchproxy.dataplane.bpf.L4Layouts;
import io.marchproxy.dataplane.bpf.L4Program;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.IpFamily;
import io.marchproxy.dataplane.net.IpPrefix;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.net.PortRange;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static io.marchproxy.dataplane.acl.AccessAction.ALLOW;
import static io.marchproxy.dataplane.acl.AccessAction.DENY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compiled policy against the plain first-match definition: examples, then thousands of random rule sets and
 * packets, IPv4 and IPv6, through both the Java matcher and an emulation of the XDP program over the exact bytes
 * {@link io.marchproxy.dataplane.bpf.L4AccessEncoding} writes into the {@code l4_access} map (longest-prefix match
 * over the keys, then the value's segments).
 */
class AccessPolicyTest
{
    private static final int TCP = 6;
    private static final int UDP = 17;

    @Test
    void firstMatchByPriorityThenListOrder()
    {
        final List<AccessRule> rules = List.of(
            rule(10, ALLOW, List.of("10.0.0.0/8"), Set.of(1), EnumSet.of(L4Protocol.TCP), List.of(PortRange.of(443))),
            rule(5, DENY, List.of("10.1.0.0/16"), Set.of(1), EnumSet.allOf(L4Protocol.class), List.of(PortRange.ALL)),
            rule(10, DENY, List.of("10.0.0.0/8"), Set.of(1), EnumSet.of(L4Protocol.TCP), List.of(PortRange.ALL)),
            rule(20, ALLOW, List.of("0.0.0.0/0", "::/0"), Set.of(1, 2), EnumSet.of(L4Protocol.UDP),
                List.of(new PortRange(53, 53), new PortRange(5000, 5999))));
        final AccessPolicy policy = AccessPolicy.compile(rules, DENY);
        assertEquals(ALLOW, decide(policy, 1, "10.2.3.4", TCP, 443));
        assertEquals(DENY, decide(policy, 1, "10.1.3.4", TCP, 443), "priority 5 comes first");
        assertEquals(DENY, decide(policy, 1, "10.2.3.4", TCP, 80), "tie: the list order");
        assertEquals(ALLOW, decide(policy, 1, "10.2.3.4", UDP, 53));
        assertEquals(DENY, decide(policy, 1, "10.1.3.4", UDP, 53));
        assertEquals(ALLOW, decide(policy, 2, "2001:db8::1", UDP, 5999));
        assertEquals(DENY, decide(policy, 2, "2001:db8::1", UDP, 6000), "default");
        assertEquals(DENY, decide(policy, 3, "10.2.3.4", TCP, 443), "no rule for the service");
        assertEquals(DENY, decide(policy, 1, "10.2.3.4", 1, 0), "not TCP/UDP: the default");
        assertEquals(AccessAction.DENY, policy.defaultAction());
        assertEquals(List.of(5, 10, 10, 20), policy.rules().stream().map(AccessRule::priority).toList());
        // service 1: 10/8, 10.1/16, 0/0, ::/0; service 2: 0/0, ::/0.
        assertEquals(6, policy.entries().size());
        assertEquals(4, policy.entryCount(IpFamily.IPV4));
    }

    @Test
    void anEntryWithMoreSegmentsThanTheValueHoldsIsPuntedAndDecidedInJava()
    {
        // nine single-port allow rules on TCP service 0 (even: TCP) cut 1..65535 into 19 segments
        final List<AccessRule> rules = new ArrayList<>();
        for (int i = 0; i < L4Layouts.ACL_SEGMENTS + 1; i++)
        {
            rules.add(rule(1, ALLOW, List.of("10.0.0.0/8"), Set.of(0), EnumSet.of(L4Protocol.TCP),
                List.of(PortRange.of(1000 + 2 * i))));
        }
        rules.add(rule(2, ALLOW, List.of("10.0.0.0/8"), Set.of(2), EnumSet.of(L4Protocol.TCP),
            List.of(PortRange.of(80))));
        final AccessPolicy policy = AccessPolicy.compile(rules, DENY);
        final XdpEmulation xdp = new XdpEmulation(policy);
        final IpAddress source = IpAddress.parse("10.1.2.3");
        assertEquals(XdpEmulation.PUNT, xdp.decide(0, source, 1000));
        assertEquals(XdpEmulation.PUNT, xdp.decide(0, source, 1001));
        assertEquals(ALLOW, policy.decide(0, source.family(), source.hi(), source.lo(), TCP, 1016));
        assertEquals(DENY, policy.decide(0, source.family(), source.hi(), source.lo(), TCP, 1017));
        assertEquals(L4Program.ACTION_ALLOW, xdp.decide(2, source, 80), "an entry that fits is decided in XDP");
        assertEquals(L4Program.ACTION_DENY, xdp.decide(2, source, 81));
    }

    @Test
    void rulesNeedEveryPart()
    {
        assertThrows(IllegalArgumentException.class, () ->
            rule(1, ALLOW, List.of(), Set.of(1), EnumSet.of(L4Protocol.TCP), List.of(PortRange.ALL)));
        assertThrows(IllegalArgumentException.class, () ->
            rule(1, ALLOW, List.of("::/0"), Set.of(-1), EnumSet.of(L4Protocol.TCP), List.of(PortRange.ALL)));
    }

    @Test
    void compiledMatcherAndXdpEmulationEqualFirstMatchOverRandomRuleSets()
    {
        final SplittableRandom random = new SplittableRandom(0xAC1L);
        int overflowing = 0;
        int punted = 0;
        int lpmMisses = 0;
        int packets = 0;
        for (int set = 0; set < 3_000; set++)
        {
            final Universe universe = new Universe(random);
            final List<AccessRule> rules = new ArrayList<>();
            final int ruleCount = random.nextInt(1, 14);
            for (int i = 0; i < ruleCount; i++)
            {
                rules.add(universe.rule());
            }
            final AccessAction defaultAction = random.nextBoolean() ? ALLOW : DENY;
            final AccessPolicy policy = AccessPolicy.compile(rules, defaultAction);
            final List<AccessRule> ordered = policy.rules();
            final XdpEmulation xdp = new XdpEmulation(policy);
            overflowing += policy.overflowCount();
            for (int n = 0; n < 60; n++)
            {
                final IpAddress source = universe.address();
                final int service = random.nextInt(5);
                final int protocol = random.nextInt(10) == 0 ? 1 : random.nextBoolean() ? TCP : UDP;
                final int port = universe.port();
                final AccessAction expected = naive(ordered, defaultAction, service, source, protocol, port);
                assertEquals(expected, policy.decide(service, source.family(), source.hi(), source.lo(), protocol,
                    port), () -> rules + " default " + defaultAction + ": " + service + " " + source + " " + port);
                if (protocol != serviceProtocol(service) || port == 0)
                {
                    packets++;
                    // the XDP program looks rules up only for the protocol and ports (1..65535) of a service it matched
                    continue;
                }
                final int code = xdp.decide(service, source, port);
                if (code == XdpEmulation.PUNT)
                {
                    punted++;
                }
                else
                {
                    assertEquals(L4AccessEncoding.action(expected), code,
                        () -> "XDP: " + rules + ": " + source + " " + port);
                    lpmMisses += xdp.lastWasMiss ? 1 : 0;
                }
                packets++;
            }
        }
        final int total = packets;
        final String summary = overflowing + " overflowing entries, " + punted + " punted of " + total;
        assertTrue(overflowing > 0 && punted < total / 10, summary);
        assertTrue(lpmMisses > total / 20, "LPM misses exercised");
    }

    @Test
    void manyPrefixesOfOneServiceUseTheTopByteIndexAndStillAgree()
    {
        final SplittableRandom random = new SplittableRandom(256);
        for (int set = 0; set < 8; set++)
        {
            final Universe universe = new Universe(random);
            final List<AccessRule> rules = new ArrayList<>();
            for (int i = 0; i < 150; i++)
            {
                final IpAddress base = random.nextInt(3) == 0 ? universe.address() : IpAddress.ipv4(random.nextInt());
                final int[] lengths = base.family() == IpFamily.IPV4 ? new int[] {0, 1, 7, 8, 9, 12, 16, 24, 32}
                    : new int[] {0, 8, 64, 128};
                rules.add(new AccessRule(random.nextInt(50), random.nextBoolean() ? ALLOW : DENY,
                    List.of(IpPrefix.of(base, lengths[random.nextInt(lengths.length)])), Set.of(1),
                    EnumSet.allOf(L4Protocol.class), List.of(universe.range())));
            }
            final AccessAction defaultAction = random.nextBoolean() ? ALLOW : DENY;
            final AccessPolicy policy = AccessPolicy.compile(rules, defaultAction);
            for (int n = 0; n < 2_000; n++)
            {
                final IpAddress source = random.nextBoolean() ? universe.address() : IpAddress.ipv4(random.nextInt());
                final int port = universe.port();
                assertEquals(naive(policy.rules(), defaultAction, 1, source, TCP, port),
                    policy.decide(1, source.family(), source.hi(), source.lo(), TCP, port), source::toString);
            }
        }
    }

    private static AccessAction naive(
        final List<AccessRule> ordered,
        final AccessAction defaultAction,
        final int service,
        final IpAddress source,
        final int protocol,
        final int port)
    {
        for (final AccessRule rule : ordered)
        {
            if (rule.matches(service, source.family(), source.hi(), source.lo(), protocol, port))
            {
                return rule.action();
            }
        }
        return defaultAction;
    }

    private static AccessAction decide(
        final AccessPolicy policy, final int service, final String source, final int protocol, final int port)
    {
        final IpAddress address = IpAddress.parse(source);
        return policy.decide(service, address.family(), address.hi(), address.lo(), protocol, port);
    }

    private static AccessRule rule(
        final int priority,
        final AccessAction action,
        final List<String> sources,
        final Set<Integer> services,
        final Set<L4Protocol> protocols,
        final List<PortRange> ports)
    {
        return new AccessRule(priority, action, sources.stream().map(IpPrefix::parse).toList(), services, protocols,
            ports);
    }

    /** Random prefixes, addresses and ports drawn from few bases, so that prefixes nest and ranges share edges. */
    private static final class Universe
    {
        private static final int[] V4_LENGTHS = {0, 8, 16, 20, 24, 28, 31, 32};
        private static final int[] V6_LENGTHS = {0, 16, 32, 48, 64, 65, 96, 120, 128};
        private static final int[] EDGES = {0, 1, 22, 53, 80, 443, 1024, 5000, 8080, 65534, 65535};

        private final SplittableRandom random;
        private final IpAddress[] bases;

        Universe(final SplittableRandom random)
        {
            this.random = random;
            this.bases = new IpAddress[] {
                IpAddress.ipv4(random.nextInt()),
                IpAddress.ipv4(random.nextInt()),
                IpAddress.ipv6(random.nextLong(), random.nextLong()),
                IpAddress.ipv6(random.nextLong(), random.nextLong())};
        }

        /** A base address with some of its low bits changed: shares a long prefix with the base, or not. */
        IpAddress address()
        {
            final IpAddress base = bases[random.nextInt(bases.length)];
            final int flip = random.nextInt(base.bits() + 1);
            if (base.family() == IpFamily.IPV4)
            {
                final long mask = flip == 0 ? 0 : (0xFFFF_FFFFL >>> (32 - flip));
                return IpAddress.ipv4((int)(base.lo() ^ (random.nextLong() & mask)));
            }
            final long loMask = flip >= 64 ? -1L : flip == 0 ? 0 : (-1L >>> (64 - flip));
            final long hiMask = flip <= 64 ? 0 : flip == 128 ? -1L : (-1L >>> (128 - flip));
            return IpAddress.ipv6(base.hi() ^ (random.nextLong() & hiMask), base.lo() ^ (random.nextLong() & loMask));
        }

        IpPrefix prefix()
        {
            final IpAddress address = address();
            final int[] lengths = address.family() == IpFamily.IPV4 ? V4_LENGTHS : V6_LENGTHS;
            return IpPrefix.of(address, lengths[random.nextInt(lengths.length)]);
        }

        int port()
        {
            return random.nextInt(4) == 0
                ? random.nextInt(65536)
                : Math.max(0, Math.min(65535, EDGES[random.nextInt(EDGES.length)] + random.nextInt(-1, 2)));
        }

        PortRange range()
        {
            final int a = random.nextInt(5) == 0 ? random.nextInt(65536) : EDGES[random.nextInt(EDGES.length)];
            final int b = random.nextInt(3) == 0 ? a : EDGES[random.nextInt(EDGES.length)];
            return new PortRange(Math.min(a, b), Math.max(a, b));
        }

        AccessRule rule()
        {
            final List<IpPrefix> sources = new ArrayList<>();
            for (int i = random.nextInt(1, 4); i > 0; i--)
            {
                sources.add(prefix());
            }
            final List<Integer> services = new ArrayList<>();
            for (int i = random.nextInt(1, 3); i > 0; i--)
            {
                services.add(random.nextInt(4));
            }
            final int protocols = random.nextInt(3);
            final Set<L4Protocol> protocolSet = protocols == 0
                ? EnumSet.of(L4Protocol.TCP)
                : protocols == 1 ? EnumSet.of(L4Protocol.UDP) : EnumSet.allOf(L4Protocol.class);
            final List<PortRange> ports = new ArrayList<>();
            for (int i = random.nextInt(1, 4); i > 0; i--)
            {
                ports.add(range());
            }
            return new AccessRule(random.nextInt(4), random.nextBoolean() ? ALLOW : DENY, sources,
                Set.copyOf(services), protocolSet, ports);
        }
    }

    /** The protocol a service index stands for in the XDP emulation (a service has one). */
    static int serviceProtocol(final int service)
    {
        return service % 2 == 0 ? TCP : UDP;
    }

    /**
     * The XDP program's decision over the bytes of the BPF keys and values as {@link L4AccessEncoding} writes them for
     * {@code xdp_l4}'s access trie (layouts proven against the object's BTF), with a linear longest-prefix match.
     */
    private static final class XdpEmulation
    {
        static final int PUNT = -1;
        private static final long KEY_SERVICE = L4Layouts.ACL_KEY.byteOffset(PathElement.groupElement("service"));
        private static final long KEY_FAMILY = L4Layouts.ACL_KEY.byteOffset(PathElement.groupElement("family"));
        private static final long KEY_ADDR = L4Layouts.ACL_KEY.byteOffset(PathElement.groupElement("addr"));
        private static final long SEGMENTS = L4Layouts.ACL_VALUE.byteOffset(PathElement.groupElement("segment"));

        private final List<byte[]> keys = new ArrayList<>();
        private final List<byte[]> values = new ArrayList<>();
        private final int defaultCode;
        boolean lastWasMiss;

        XdpEmulation(final AccessPolicy policy)
        {
            defaultCode = L4AccessEncoding.action(policy.defaultAction());
            for (final AccessEntry entry : policy.entries())
            {
                // the encoder writes aligned fields, as into a map's native buffer; the emulation reads copies
                final MemorySegment key = Arena.ofAuto().allocate(L4Layouts.ACL_KEY);
                final MemorySegment value = Arena.ofAuto().allocate(L4Layouts.ACL_VALUE);
                final L4Protocol protocol = L4Protocol.ofNumber(serviceProtocol(entry.serviceIndex()));
                L4AccessEncoding.writeKey(key, entry.serviceIndex(), entry.source());
                L4AccessEncoding.writeValue(value, L4AccessEncoding.decision(entry, protocol));
                keys.add(key.toArray(ValueLayout.JAVA_BYTE));
                values.add(value.toArray(ValueLayout.JAVA_BYTE));
            }
        }

        /** The kernel's action code for a TCP/UDP packet of the service's own protocol, or {@link #PUNT}. */
        int decide(final int service, final IpAddress source, final int port)
        {
            lastWasMiss = false;
            final byte[] lookup = source.toBytes();
            int best = -1;
            int bestLength = -1;
            for (int i = 0; i < keys.size(); i++)
            {
                final MemorySegment key = MemorySegment.ofArray(keys.get(i));
                if (key.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), KEY_SERVICE)
                    != service || key.get(ValueLayout.JAVA_BYTE, KEY_FAMILY) != source.family())
                {
                    continue;
                }
                final int bits = key.get(ValueLayout.JAVA_INT_UNALIGNED, 0) - L4Layouts.ACL_PREFIX_BASE;
                if (bits > bestLength && prefixMatches(keys.get(i), (int)KEY_ADDR, lookup, bits))
                {
                    best = i;
                    bestLength = bits;
                }
            }
            if (best < 0)
            {
                lastWasMiss = true;
                return defaultCode;
            }
            final MemorySegment value = MemorySegment.ofArray(values.get(best));
            final int fallback = value.get(ValueLayout.JAVA_BYTE, 0);
            final int count = value.get(ValueLayout.JAVA_BYTE, 1);
            if (fallback == L4Program.ACTION_PUNT)
            {
                return PUNT;
            }
            for (int i = 0; i < count; i++)
            {
                final long at = SEGMENTS + i * L4Layouts.ACL_SEGMENT.byteSize();
                final int first = value.get(ValueLayout.JAVA_SHORT_UNALIGNED, at) & 0xFFFF;
                final int last = value.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + 2) & 0xFFFF;
                if (first <= port && port <= last)
                {
                    return value.get(ValueLayout.JAVA_BYTE, at + 4);
                }
            }
            return fallback;
        }

        /** The LPM trie's rule: the first {@code bits} bits of the key's address equal the looked-up address's. */
        private static boolean prefixMatches(final byte[] key, final int at, final byte[] address, final int bits)
        {
            for (int bit = 0; bit < bits; bit++)
            {
                final int keyBit = (key[at + bit / 8] >>> (7 - bit % 8)) & 1;
                final int addressBit = (address[bit / 8] >>> (7 - bit % 8)) & 1;
                if (keyBit != addressBit)
                {
                    return false;
                }
            }
            return true;
        }
    }
}
