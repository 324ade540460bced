package io.marchproxy.dataplane.conntrack;

import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.IpFamily;
import io.marchproxy.dataplane.nat.NatRewriter;
import io.marchproxy.dataplane.packet.FrameBuilder;
import io.marchproxy.dataplane.packet.PacketParser;
import io.marchproxy.dataplane.packet.ParsedPacket;
import io.marchproxy.dataplane.packet.TcpHeader;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlowTableTest
{
    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final long SECOND = 1_000_000_000L;
    /** Tables whose spread {@link #theIndexSpreadsKeysWithAStructureAsWellAsRandomOnes} averages. */
    private static final int TABLES = 16;

    private static final IpAddress CLIENT = IpAddress.parse("198.51.100.20");
    private static final IpAddress VIP = IpAddress.parse("192.0.2.10");
    private static final IpAddress NODE = IpAddress.parse("10.0.0.1");
    private static final IpAddress BACKEND = IpAddress.parse("10.0.1.7");

    private static FlowTuple original(final int protocol, final int clientPort)
    {
        return new FlowTuple().set(protocol, CLIENT, clientPort, VIP, 443);
    }

    private static FlowTuple reply(final int protocol, final int natPort)
    {
        return new FlowTuple().set(protocol, BACKEND, 8443, NODE, natPort);
    }

    @Test
    void bothDirectionsFindOneFlowAndTranslateToTheOther()
    {
        try (FlowTable table = new FlowTable(IpFamily.IPV4, 16, FlowTimeouts.DEFAULTS))
        {
            final int handle = table.insert(original(TCP, 50000), reply(TCP, 20001), 7, 3, 100, TcpHeader.SYN, 60);
            assertEquals(0, FlowTable.direction(handle));
            assertEquals(handle, table.lookup(original(TCP, 50000)));
            final int back = table.lookup(reply(TCP, 20001));
            assertEquals(handle | 1, back);
            assertEquals(FlowTable.NOT_FOUND, table.lookup(original(UDP, 50000)));
            assertEquals(FlowTable.NOT_FOUND, table.lookup(original(TCP, 50001)));
            assertEquals(7, table.serviceIndex(back));
            assertEquals(3, table.backendIndex(handle));
            assertEquals(FlowState.SYN_SENT, table.state(handle));

            final FlowTuple out = new FlowTuple();
            assertTrue(table.translation(handle, out).matches(new FlowTuple().set(TCP, NODE, 20001, BACKEND, 8443)),
                "an original packet leaves as SNAT address -> backend");
            assertTrue(table.translation(back, out).matches(new FlowTuple().set(TCP, VIP, 443, CLIENT, 50000)),
                "a reply leaves as VIP -> client");
            assertTrue(table.key(handle, 1, out).matches(reply(TCP, 20001)));

            table.touch(back, 200, 1500, TcpHeader.SYN | TcpHeader.ACK);
            assertEquals(1, table.packets(handle, 0));
            assertEquals(60, table.bytes(handle, 0));
            assertEquals(1, table.packets(handle, 1));
            assertEquals(1500, table.bytes(handle, 1));
            assertEquals(200, table.lastSeen(handle));

            table.remove(back);
            assertEquals(FlowTable.NOT_FOUND, table.lookup(original(TCP, 50000)));
            assertEquals(FlowTable.NOT_FOUND, table.lookup(reply(TCP, 20001)));
            assertEquals(0, table.size());
            assertEquals(1, table.counters().get(FlowTableCounter.REMOVED));
        }
    }

    @Test
    void hitCountsAndTranslatesAnOpenFlowsPacketAndLeavesTheOthersUntouched()
    {
        try (FlowTable table = new FlowTable(IpFamily.IPV4, 16, FlowTimeouts.DEFAULTS))
        {
            final int handle = table.insert(original(TCP, 50000), reply(TCP, 20001), 7, 3, 100, TcpHeader.SYN, 60);
            final FlowTuple out = new FlowTuple();
            assertEquals(FlowTable.NOT_FOUND, table.hit(original(TCP, 50001), 0, 150, 60, TcpHeader.ACK, out));
            assertEquals(FlowTable.NOT_FOUND, table.hit(original(UDP, 50000), 0, 150, 60, 0, out));

            assertEquals(handle | 1, table.hit(reply(TCP, 20001), 1, 200, 1500, TcpHeader.SYN | TcpHeader.ACK, out));
            assertTrue(out.matches(new FlowTuple().set(TCP, VIP, 443, CLIENT, 50000)), "a reply leaves as VIP -> client");
            assertEquals(FlowState.SYN_RECEIVED, table.state(handle), "the state machine ran");
            assertEquals(1, table.packets(handle, 1));
            assertEquals(1500, table.bytes(handle, 1));
            assertEquals(200, table.lastSeen(handle));

            assertEquals(handle, table.hit(original(TCP, 50000), 0, 300, 52, TcpHeader.ACK, out));
            assertTrue(out.matches(new FlowTuple().set(TCP, NODE, 20001, BACKEND, 8443)),
                "an original packet leaves as SNAT address -> backend");
            assertEquals(FlowState.ESTABLISHED, table.state(handle));
            assertEquals(2, table.packets(handle, 0));
            assertEquals(112, table.bytes(handle, 0));

            assertEquals(FlowTable.UNTOUCHED, table.hit(original(TCP, 50000), 1, 400, 52, TcpHeader.ACK, out),
                "a client's key arriving from the backend side");
            assertEquals(FlowTable.UNTOUCHED, table.hit(reply(TCP, 20001), 0, 400, 52, TcpHeader.ACK, out));
            table.marks(handle, 1);
            assertEquals(FlowTable.UNTOUCHED, table.hit(original(TCP, 50000), 0, 400, 52, TcpHeader.ACK, out),
                "a marked (offloaded) flow");
            table.marks(handle, 0);
            assertEquals(handle | 1, table.hit(reply(TCP, 20001), 1, 500, 40, TcpHeader.RST, out));
            assertEquals(FlowState.CLOSED, table.state(handle));
            assertEquals(FlowTable.UNTOUCHED, table.hit(original(TCP, 50000), 0, 600, 60, TcpHeader.SYN, out),
                "a closed flow");
            assertEquals(2, table.packets(handle, 0), "untouched");
            assertEquals(2, table.packets(handle, 1));
            assertEquals(500, table.lastSeen(handle));
        }
    }

    @Test
    void hitDoesWhatLookupTouchAndTranslationDo()
    {
        final int[] flags = {0, TcpHeader.SYN, TcpHeader.SYN | TcpHeader.ACK, TcpHeader.ACK, TcpHeader.FIN,
            TcpHeader.FIN | TcpHeader.ACK, TcpHeader.RST, TcpHeader.ACK | TcpHeader.PSH};
        for (final int family : new int[] {IpFamily.IPV4, IpFamily.IPV6})
        {
            final SplittableRandom random = new SplittableRandom(31 + family);
            final List<FlowTuple[]> flows = new ArrayList<>();
            try (FlowTable fused = new FlowTable(family, 500, FlowTimeouts.DEFAULTS);
                FlowTable steps = new FlowTable(family, 500, FlowTimeouts.DEFAULTS))
            {
                while (flows.size() < 400)
                {
                    final FlowTuple[] flow = randomFlow(family, random);
                    final int tcpFlags = flags[random.nextInt(flags.length)];
                    final int handle = fused.insert(flow[0], flow[1], flows.size(), 0, 0, tcpFlags, 60);
                    assertEquals(handle, steps.insert(flow[0], flow[1], flows.size(), 0, 0, tcpFlags, 60));
                    if (handle >= 0)
                    {
                        flows.add(flow);
                    }
                }
                final FlowTuple fusedOut = new FlowTuple();
                final FlowTuple stepsOut = new FlowTuple();
                for (int packet = 1; packet <= 100_000; packet++)
                {
                    final FlowTuple[] flow = random.nextInt(8) == 0 ? randomFlow(family, random)
                        : flows.get(random.nextInt(flows.size()));
                    final FlowTuple key = flow[random.nextInt(2)];
                    final int direction = random.nextInt(8) == 0 ? 1 - flowDirection(steps, key) : flowDirection(
                        steps, key);
                    final int tcpFlags = key.protocol() == TCP ? flags[random.nextInt(flags.length)] : 0;
                    final int bytes = 40 + random.nextInt(1500);
                    final int found = steps.lookup(key);
                    if (found >= 0 && random.nextInt(50) == 0)
                    {
                        final int marks = random.nextInt(3) == 0 ? random.nextInt(256) : 0;
                        fused.marks(found, marks);
                        steps.marks(found, marks);
                    }
                    final int expected;
                    if (found < 0)
                    {
                        expected = FlowTable.NOT_FOUND;
                    }
                    else if (FlowTable.direction(found) != direction || steps.marks(found) != 0
                        || steps.state(found) == FlowState.CLOSED)
                    {
                        expected = FlowTable.UNTOUCHED;
                    }
                    else
                    {
                        steps.touch(found, packet, bytes, tcpFlags);
                        steps.translation(found, stepsOut);
                        expected = found;
                    }
                    assertEquals(expected, fused.hit(key, direction, packet, bytes, tcpFlags, fusedOut), key::toString);
                    if (expected >= 0)
                    {
                        assertTrue(fusedOut.matches(stepsOut), () -> fusedOut + " instead of " + stepsOut);
                    }
                    if (found >= 0)
                    {
                        assertSameRecord(steps, fused, found);
                    }
                }
            }
        }
    }

    /**
     * hitAndRewrite, which rewrites from the record with the checksum deltas stored at insert (IPv4), must do what hit
     * then NatRewriter.forward with the translated tuple do (deltas computed from the packet): the same result, the
     * same record, the same frame once the MACs are written. Both families, both directions, TCP and UDP (over IPv4
     * also without a checksum), unknown keys, keys from the wrong side, marked and closed flows, TTL 1; native frames,
     * with nothing written around them. A wrong stored delta, a reply's delta not the complement of the original's, a
     * swapped port: each changes a checksum or a field.
     */
    @Test
    void hitAndRewriteDoesWhatHitAndForwardDo()
    {
        final int[] flags = {0, TcpHeader.SYN, TcpHeader.SYN | TcpHeader.ACK, TcpHeader.ACK, TcpHeader.FIN,
            TcpHeader.RST, TcpHeader.ACK | TcpHeader.PSH};
        final PacketParser parser = new PacketParser();
        final ParsedPacket viaTable = new ParsedPacket();
        final ParsedPacket viaTuple = new ParsedPacket();
        final FlowTuple translation = new FlowTuple();
        for (final int family : new int[] {IpFamily.IPV4, IpFamily.IPV6})
        {
            final boolean v6 = family == IpFamily.IPV6;
            final SplittableRandom random = new SplittableRandom(1624 + family);
            try (FlowTable fused = new FlowTable(family, 1_000, FlowTimeouts.DEFAULTS);
                FlowTable steps = new FlowTable(family, 1_000, FlowTimeouts.DEFAULTS);
                Arena arena = Arena.ofConfined())
            {
                final List<FlowTuple[]> flows = new ArrayList<>();
                while (flows.size() < 900)
                {
                    final boolean tcp = random.nextBoolean();
                    final FlowTuple original = FrameBuilder.tuple(tcp, addresses(random, v6), ports(random));
                    final FlowTuple reply = FrameBuilder.tuple(tcp, addresses(random, v6), ports(random));
                    final int tcpFlags = tcp ? flags[random.nextInt(flags.length)] : 0;
                    final int handle = fused.insert(original, reply, flows.size(), 0, 0, tcpFlags, 60);
                    assertEquals(handle, steps.insert(original, reply, flows.size(), 0, 0, tcpFlags, 60));
                    if (handle >= 0)
                    {
                        flows.add(new FlowTuple[] {original, reply});
                    }
                }
                final MemorySegment memory = arena.allocate(512);
                final int[] results = new int[7];
                for (int packet = 1; packet <= 20_000; packet++)
                {
                    final boolean tcp;
                    final FlowTuple key;
                    if (random.nextInt(16) == 0)
                    {
                        tcp = random.nextBoolean();
                        key = FrameBuilder.tuple(tcp, addresses(random, v6), ports(random)); // unknown
                    }
                    else
                    {
                        final FlowTuple[] flow = flows.get(random.nextInt(flows.size()));
                        key = flow[random.nextInt(2)];
                        tcp = key.protocol() == TCP;
                        final int found = steps.lookup(key);
                        if (random.nextInt(50) == 0)
                        {
                            final int marks = random.nextInt(3) == 0 ? 1 + random.nextInt(255) : 0;
                            fused.marks(found, marks);
                            steps.marks(found, marks);
                        }
                    }
                    final int direction = random.nextInt(8) == 0 ? 1 - flowDirection(steps, key)
                        : flowDirection(steps, key);
                    final int tcpFlags = tcp ? flags[random.nextInt(flags.length)] : 0;
                    final FrameBuilder builder = new FrameBuilder()
                        .addresses(key.sourceAddress().toString(), key.destinationAddress().toString())
                        .payload(random.nextInt(40))
                        .ttl(random.nextInt(8) == 0 ? 1 : 2 + random.nextInt(254));
                    if (tcp)
                    {
                        builder.tcp(key.sourcePort(), key.destinationPort(), tcpFlags);
                    }
                    else
                    {
                        builder.udp(key.sourcePort(), key.destinationPort());
                        if (!v6 && random.nextInt(4) == 0)
                        {
                            builder.udpWithoutChecksum();
                        }
                    }
                    final byte[] expected = builder.frame();
                    final long at = 1 + random.nextInt(64);
                    memory.fill((byte)0x5A);
                    MemorySegment.copy(expected, 0, memory, ValueLayout.JAVA_BYTE, at, expected.length);
                    parser.parse(memory, at, expected.length, viaTable);
                    parser.parse(MemorySegment.ofArray(expected), 0, expected.length, viaTuple);
                    final long sourceMac = random.nextLong() & 0xFFFF_FFFF_FFFFL;
                    final long destinationMac = random.nextLong() & 0xFFFF_FFFF_FFFFL;
                    final int bytes = expected.length;

                    int stepsResult = steps.hit(viaTuple.tuple(), direction, packet, bytes, tcpFlags, translation);
                    if (stepsResult >= 0 && !NatRewriter.forward(viaTuple, translation, sourceMac, destinationMac))
                    {
                        stepsResult = FlowTable.TTL_EXPIRED;
                    }
                    final int result = fused.hitAndRewrite(viaTable.tuple(), direction, packet, bytes, tcpFlags,
                        viaTable);
                    if (result >= 0)
                    {
                        NatRewriter.rewriteMacs(viaTable, sourceMac, destinationMac);
                    }
                    assertEquals(stepsResult, result, key::toString);
                    results[-Math.min(result, 0)]++;
                    assertArrayEquals(expected, memory.asSlice(at, expected.length).toArray(ValueLayout.JAVA_BYTE),
                        key::toString);
                    for (long i = 0; i < memory.byteSize(); i = i + 1 == at ? at + expected.length : i + 1)
                    {
                        assertEquals((byte)0x5A, memory.get(ValueLayout.JAVA_BYTE, i), "byte " + i + " outside");
                    }
                    final int found = steps.lookup(key);
                    if (found >= 0)
                    {
                        assertSameRecord(steps, fused, found);
                    }
                }
                // Each outcome happened (0: handles, 1: not found, 5: untouched, 6: TTL expired).
                for (final int outcome : new int[] {0, 1, 5, 6})
                {
                    assertTrue(results[outcome] > 100, () -> java.util.Arrays.toString(results));
                }
            }
        }
    }

    private static String[] addresses(final SplittableRandom random, final boolean v6)
    {
        return new String[] {FrameBuilder.randomAddress(random, v6), FrameBuilder.randomAddress(random, v6)};
    }

    private static int[] ports(final SplittableRandom random)
    {
        return new int[] {random.nextInt(65536), random.nextInt(65536)};
    }

    /** The direction of {@code key}'s flow in {@code table}, 0 when it is not tracked. */
    private static int flowDirection(final FlowTable table, final FlowTuple key)
    {
        final int handle = table.lookup(key);
        return handle < 0 ? 0 : FlowTable.direction(handle);
    }

    private static void assertSameRecord(final FlowTable expected, final FlowTable actual, final int handle)
    {
        assertEquals(expected.state(handle), actual.state(handle));
        assertEquals(expected.lastSeen(handle), actual.lastSeen(handle));
        assertEquals(expected.marks(handle), actual.marks(handle));
        for (int direction = 0; direction < 2; direction++)
        {
            assertEquals(expected.packets(handle, direction), actual.packets(handle, direction));
            assertEquals(expected.bytes(handle, direction), actual.bytes(handle, direction));
        }
    }

    @Test
    void ipv6FlowsWork()
    {
        try (FlowTable table = new FlowTable(IpFamily.IPV6, 4, FlowTimeouts.DEFAULTS))
        {
            final FlowTuple a = new FlowTuple().set(UDP, IpAddress.parse("2001:db8::1"), 5353,
                IpAddress.parse("2001:db8:ffff::10"), 53);
            final FlowTuple b = new FlowTuple().set(UDP, IpAddress.parse("fd00::7"), 53,
                IpAddress.parse("fd00::1"), 30000);
            final int handle = table.insert(a, b, 1, 0, 5, 0, 80);
            assertEquals(FlowState.UDP, table.state(handle));
            assertEquals(handle | 1, table.lookup(b));
            final FlowTuple out = new FlowTuple();
            assertTrue(table.translation(handle | 1, out).matches(new FlowTuple().reverseOf(a)));
            assertEquals(FlowTable.INVALID, table.insert(original(UDP, 1), reply(UDP, 2), 1, 0, 5, 0, 80));
        }
    }

    @Test
    void tcpStatesFollowTheFlagsOfBothDirections()
    {
        try (FlowTable table = new FlowTable(IpFamily.IPV4, 4, FlowTimeouts.DEFAULTS))
        {
            final int out = table.insert(original(TCP, 1000), reply(TCP, 2000), 0, 0, 0, TcpHeader.SYN, 60);
            final int in = out | 1;
            assertEquals(FlowState.SYN_SENT, table.state(out));
            assertEquals(FlowState.SYN_SENT, table.touch(out, 1, 60, TcpHeader.SYN), "a retransmitted SYN");
            assertEquals(FlowState.SYN_RECEIVED, table.touch(in, 2, 60, TcpHeader.SYN | TcpHeader.ACK));
            assertEquals(FlowState.ESTABLISHED, table.touch(out, 3, 52, TcpHeader.ACK));
            assertEquals(FlowState.ESTABLISHED, table.touch(in, 4, 900, TcpHeader.ACK | TcpHeader.PSH));
            assertEquals(FlowState.FIN_WAIT, table.touch(out, 5, 52, TcpHeader.FIN | TcpHeader.ACK));
            assertEquals(FlowState.FIN_WAIT, table.touch(out, 6, 52, TcpHeader.FIN | TcpHeader.ACK), "same side again");
            assertEquals(FlowState.CLOSED, table.touch(in, 7, 52, TcpHeader.FIN | TcpHeader.ACK));
            assertEquals(FlowState.CLOSED, table.touch(out, 8, 52, TcpHeader.ACK));
            assertEquals(FlowState.SYN_SENT, table.touch(out, 9, 60, TcpHeader.SYN), "the client reuses the port");
            assertEquals(FlowState.CLOSED, table.touch(in, 10, 40, TcpHeader.RST));

            final int picked = table.insert(original(TCP, 1001), reply(TCP, 2001), 0, 0, 0, TcpHeader.ACK, 60);
            assertEquals(FlowState.ESTABLISHED, table.state(picked), "picked up mid-stream");
            assertEquals(FlowState.ESTABLISHED, table.touch(picked | 1, 11, 40, TcpHeader.ACK | TcpHeader.PSH));
            assertEquals(2, table.packets(picked, 0) + table.packets(picked, 1), "counted on the established path");
            assertEquals(FlowState.CLOSED, table.touch(picked | 1, 12, 40, TcpHeader.RST | TcpHeader.ACK),
                "an RST closes an established flow");
            final int reset = table.insert(original(TCP, 1002), reply(TCP, 2002), 0, 0, 0, TcpHeader.ACK, 60);
            assertEquals(FlowState.FIN_WAIT, table.touch(reset | 1, 13, 40, TcpHeader.FIN | TcpHeader.ACK));
            assertEquals(FlowState.CLOSED, table.touch(reset, 14, 40, TcpHeader.FIN | TcpHeader.ACK),
                "FINs from both sides after an established start");
        }
    }

    @Test
    void idleFlowsExpireByStateIncrementally()
    {
        final FlowTimeouts timeouts = FlowTimeouts.of(Duration.ofSeconds(1), Duration.ofSeconds(100),
            Duration.ofSeconds(2), Duration.ofSeconds(30));
        assertEquals(10 * SECOND, FlowTimeouts.DEFAULTS.of(FlowState.SYN_SENT));
        assertEquals(300 * SECOND, FlowTimeouts.DEFAULTS.of(FlowState.ESTABLISHED));
        try (FlowTable table = new FlowTable(IpFamily.IPV4, 100, timeouts))
        {
            for (int i = 0; i < 50; i++)
            {
                final int flow = table.insert(original(TCP, 1000 + i), reply(TCP, 2000 + i), i, i, 0, TcpHeader.SYN, 0);
                if (i % 2 == 0)
                {
                    table.touch(flow | 1, 0, 0, TcpHeader.SYN | TcpHeader.ACK);
                    table.touch(flow, 0, 0, TcpHeader.ACK);
                }
            }
            final List<Integer> freedPorts = new ArrayList<>();
            final ExpiredFlowHandler collect = (t, handle) ->
                freedPorts.add(t.key(handle, 1, new FlowTuple()).destinationPort());
            assertEquals(0, table.expire(SECOND, 1_000, collect), "not idle for longer than 1 s yet");
            assertEquals(10, table.expire(SECOND + 1, 20, collect), "a budget of 20 records visits 20");
            assertEquals(15, table.expire(SECOND + 1, 1_000, collect), "the rest of the 25 handshakes");
            assertEquals(25, table.size());
            assertEquals(25, freedPorts.size());
            assertTrue(freedPorts.stream().allMatch(port -> (port - 2000) % 2 == 1));
            assertEquals(FlowTable.NOT_FOUND, table.lookup(original(TCP, 1001)));
            assertEquals(0, table.expire(99 * SECOND, 1_000, collect));
            assertEquals(25, table.expire(101 * SECOND, 1_000, collect));
            assertEquals(0, table.size());
            assertEquals(50, table.counters().get(FlowTableCounter.EXPIRED));
        }
    }

    @Test
    void marksSurviveStateChangesAndTrafficFromElsewhereKeepsAFlowAlive()
    {
        final FlowTimeouts timeouts = FlowTimeouts.of(Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofSeconds(1), Duration.ofSeconds(1));
        try (FlowTable table = new FlowTable(IpFamily.IPV4, 4, timeouts))
        {
            final int flow = table.insert(original(TCP, 1000), reply(TCP, 2000), 1, 2, 0, TcpHeader.SYN, 60);
            assertEquals(0, table.marks(flow));
            table.marks(flow, 0x85);
            table.touch(flow | 1, 0, 60, TcpHeader.SYN | TcpHeader.ACK);
            table.touch(flow, 0, 60, TcpHeader.FIN | TcpHeader.ACK);
            assertEquals(FlowState.FIN_WAIT, table.state(flow));
            assertEquals(0x85, table.marks(flow | 1), "the state byte and FIN bits change, the marks stay");
            assertEquals(TCP, table.key(flow, 0, new FlowTuple()).protocol());

            table.addTraffic(flow | 1, 1, 10, 1_000, 5 * SECOND);
            assertEquals(11, table.packets(flow, 1), "the SYN-ACK and ten more");
            assertEquals(1_060, table.bytes(flow, 1));
            assertEquals(5 * SECOND, table.lastSeen(flow));
            table.addTraffic(flow, 0, 0, 0, SECOND);
            assertEquals(5 * SECOND, table.lastSeen(flow), "last seen never moves back");

            final int[] asked = new int[1];
            final ExpiredFlowHandler forwardedElsewhere = new ExpiredFlowHandler()
            {
                @Override
                public void onExpired(final FlowTable t, final int handle)
                {
                }

                @Override
                public void beforeExpiry(final FlowTable t, final int handle)
                {
                    asked[0]++;
                    t.addTraffic(handle, 0, 1, 60, 6 * SECOND + 500_000_000L);
                }
            };
            assertEquals(0, table.expire(6 * SECOND + 600_000_000L, 4, forwardedElsewhere), "alive after all");
            assertEquals(1, asked[0]);
            assertEquals(1, table.size());
            assertEquals(1, table.expire(8 * SECOND, 4, (t, handle) -> { }), "idle once nothing else saw it");
            assertFalse(table.isLive(flow));
            assertEquals(1, table.recordLimit());
        }
    }

    @Test
    void aFullTableRefusesAndCountsAndReusesFreedRecords()
    {
        try (FlowTable table = new FlowTable(IpFamily.IPV4, 3, FlowTimeouts.DEFAULTS))
        {
            final int first = table.insert(original(UDP, 1), reply(UDP, 1), 0, 0, 0, 0, 0);
            table.insert(original(UDP, 2), reply(UDP, 2), 0, 0, 0, 0, 0);
            table.insert(original(UDP, 3), reply(UDP, 3), 0, 0, 0, 0, 0);
            assertEquals(FlowTable.FULL, table.insert(original(UDP, 4), reply(UDP, 4), 0, 0, 0, 0, 0));
            assertEquals(FlowTable.EXISTS, table.insert(original(UDP, 2), reply(UDP, 9), 0, 0, 0, 0, 0));
            assertEquals(FlowTable.EXISTS, table.insert(original(UDP, 9), reply(UDP, 3), 0, 0, 0, 0, 0));
            assertEquals(FlowTable.INVALID, table.insert(original(1, 9), reply(1, 9), 0, 0, 0, 0, 0));
            assertEquals(FlowTable.INVALID, table.insert(original(UDP, 9), original(UDP, 9), 0, 0, 0, 0, 0));
            table.remove(first);
            assertNotEquals(FlowTable.FULL, table.insert(original(UDP, 4), reply(UDP, 4), 0, 0, 0, 0, 0));
            assertEquals(1, table.counters().get(FlowTableCounter.INSERT_FULL));
            assertEquals(2, table.counters().get(FlowTableCounter.INSERT_EXISTS));
            assertEquals(2, table.counters().get(FlowTableCounter.INSERT_INVALID));
            assertEquals(4, table.counters().get(FlowTableCounter.INSERTED));
        }
        assertThrows(IllegalArgumentException.class, () -> new FlowTable(5, 10, FlowTimeouts.DEFAULTS));
        assertThrows(IllegalArgumentException.class, () -> new FlowTable(IpFamily.IPV4, 0, FlowTimeouts.DEFAULTS));
    }

    @Test
    void randomOperationsAgreeWithAMapModel()
    {
        for (final int family : new int[] {IpFamily.IPV4, IpFamily.IPV6})
        {
            final SplittableRandom random = new SplittableRandom(family);
            final Map<String, Integer> model = new HashMap<>();
            final List<FlowTuple[]> live = new ArrayList<>();
            try (FlowTable table = new FlowTable(family, 2_000, FlowTimeouts.DEFAULTS))
            {
                for (int op = 0; op < 150_000; op++)
                {
                    final int choice = random.nextInt(10);
                    if (choice < 5 && live.size() < 2_000)
                    {
                        final FlowTuple[] flow = randomFlow(family, random);
                        final boolean known = model.containsKey(key(flow[0])) || model.containsKey(key(flow[1]));
                        final int handle = table.insert(flow[0], flow[1], op, 0, op, 0, 0);
                        if (known)
                        {
                            assertEquals(FlowTable.EXISTS, handle);
                        }
                        else
                        {
                            assertTrue(handle >= 0);
                            model.put(key(flow[0]), op);
                            model.put(key(flow[1]), op);
                            live.add(flow);
                        }
                    }
                    else if (choice < 8 && !live.isEmpty())
                    {
                        final FlowTuple[] flow = live.remove(random.nextInt(live.size()));
                        final int handle = table.lookup(flow[random.nextInt(2)]);
                        assertTrue(handle >= 0);
                        table.remove(handle);
                        model.remove(key(flow[0]));
                        model.remove(key(flow[1]));
                    }
                    else
                    {
                        final FlowTuple[] probe = live.isEmpty() || random.nextBoolean()
                            ? randomFlow(family, random)
                            : live.get(random.nextInt(live.size()));
                        for (int direction = 0; direction < 2; direction++)
                        {
                            final Integer service = model.get(key(probe[direction]));
                            final int handle = table.lookup(probe[direction]);
                            if (service == null)
                            {
                                assertEquals(FlowTable.NOT_FOUND, handle);
                            }
                            else
                            {
                                assertEquals(direction, FlowTable.direction(handle));
                                assertEquals((int)service, table.serviceIndex(handle));
                            }
                        }
                    }
                }
                assertEquals(live.size(), table.size());
                for (final FlowTuple[] flow : live)
                {
                    assertEquals(table.lookup(flow[0]) | 1, table.lookup(flow[1]));
                }
            }
        }
    }

    /**
     * Keys as traffic makes them, not random: one client's consecutive ports, clients or VIPs that differ only in the
     * address' high bits, consecutive clients with one port pair (NTP: 123 -> 123), and their replies from four
     * backends to consecutive SNAT ports. Each must spread over the index as random keys do: about 1.22 slots read per
     * lookup at this load (40,000 keys in 131,072 slots), the mean of 16 tables under 1.25 and none over 1.4. Each
     * table draws seeds of its own, so one table's figure is a draw: over 600 tables, random keys read 1.209-1.230;
     * consecutive clients and clients by high bits read 1.22 at the median but up to 1.30 (p99 1.26-1.27), which is why
     * the bound is on the mean of 16 (one table under 1.3 failed about one run in 300). Hashes that leave some key bits
     * out of the slot's bits fail here (tried, 200 tables each): the high half of the two words' products summed
     * (clients by high bits: 2,950), the 128-bit product of the two words folded (up to 1.52), each word's 128-bit
     * product with a constant folded and summed, without a last exclusive or of the sum's halves (consecutive clients:
     * 1.30 to 1.38).
     */
    @Test
    void theIndexSpreadsKeysWithAStructureAsWellAsRandomOnes()
    {
        final int flows = 20_000;
        final String[] patterns = {"one client's ports", "clients by high bits", "consecutive clients, one port pair",
            "VIPs by high bits", "random"};
        final SplittableRandom random = new SplittableRandom(20261206);
        for (final String pattern : patterns)
        {
            double sum = 0;
            double worst = 0;
            for (int t = 0; t < TABLES; t++)
            {
                final double probes = meanProbeLength(pattern, flows, random);
                sum += probes;
                worst = Math.max(worst, probes);
            }
            final double mean = sum / TABLES;
            assertTrue(mean >= 1 && mean < 1.25, pattern + ": " + mean + " slots read per lookup, the mean of " + TABLES
                + " tables");
            assertTrue(worst < 1.4, pattern + ": " + worst + " slots read per lookup in one table");
        }
    }

    /** The mean probe length of a new table of {@code flows} flows of {@code pattern}. */
    private static double meanProbeLength(final String pattern, final int flows, final SplittableRandom random)
    {
        try (FlowTable table = new FlowTable(IpFamily.IPV4, flows, FlowTimeouts.DEFAULTS))
        {
            final FlowTuple original = new FlowTuple();
            final FlowTuple reply = new FlowTuple();
            for (int i = 0; i < flows; i++)
            {
                switch (pattern)
                {
                    case "one client's ports" -> original.setIpv4(TCP, 0xC633_6414, 1024 + i, 0xC000_020A, 443);
                    case "clients by high bits" -> original.setIpv4(TCP, i << 16 | 1, 40000, 0xC000_020A, 443);
                    case "consecutive clients, one port pair" ->
                        original.setIpv4(UDP, 0x0A00_0000 + i, 123, 0xC000_020A, 123);
                    case "VIPs by high bits" -> original.setIpv4(TCP, 0xC633_6414, 40000, i << 16 | 10, 443);
                    default -> original.setIpv4(TCP, random.nextInt(), random.nextInt(1 << 16), 0xC000_020A, 443);
                }
                reply.setIpv4(original.protocol(), 0x0A00_0107 + i % 4, 8443, 0x0A00_0001, 2000 + i);
                assertTrue(table.insert(original, reply, 0, i % 4, 0, 0, 60) >= 0, pattern + ": flow " + i);
            }
            return table.meanProbeLength();
        }
    }

    @Test
    void aMillionIpv4FlowsFitIn128MiBAndAreAllFound()
    {
        try (FlowTable table = new FlowTable(IpFamily.IPV4, 1_000_000, FlowTimeouts.DEFAULTS))
        {
            assertTrue(table.memoryBytes() <= 128L << 20, "bytes: " + table.memoryBytes());
            assertEquals(80L * 1_000_000 + 8L * 4_194_304, table.memoryBytes());
            final FlowTuple original = new FlowTuple();
            final FlowTuple reply = new FlowTuple();
            for (int i = 0; i < 1_000_000; i++)
            {
                original.setIpv4(UDP, 0x0A00_0000 | i, 1024 + (i & 0x3FFF), VIP.ipv4(), 53);
                reply.setIpv4(UDP, BACKEND.ipv4(), 53, NODE.ipv4() + (i >>> 16), i & 0xFFFF);
                assertTrue(table.insert(original, reply, i & 0xFF, 0, 0, 0, 64) >= 0);
            }
            assertEquals(FlowTable.FULL,
                table.insert(original.setIpv4(UDP, 1, 1, 1, 1), reply.setIpv4(UDP, 2, 2, 2, 2), 0, 0, 0, 0, 0));
            for (int i = 0; i < 1_000_000; i += 7)
            {
                original.setIpv4(UDP, 0x0A00_0000 | i, 1024 + (i & 0x3FFF), VIP.ipv4(), 53);
                final int handle = table.lookup(original);
                assertEquals(i & 0xFF, table.serviceIndex(handle));
            }
        }
    }

    private static FlowTuple[] randomFlow(final int family, final SplittableRandom random)
    {
        // Few distinct values, so that keys collide in the index and clusters form.
        final int protocol = random.nextBoolean() ? TCP : UDP;
        final FlowTuple a = new FlowTuple();
        final FlowTuple b = new FlowTuple();
        if (family == IpFamily.IPV4)
        {
            a.setIpv4(protocol, random.nextInt(64), random.nextInt(64), 1000, 80);
            b.setIpv4(protocol, 2000 + random.nextInt(4), 8080, 3000, random.nextInt(1024));
        }
        else
        {
            a.set(family, protocol, random.nextInt(4), random.nextInt(64), random.nextInt(64), 7, 7, 80);
            b.set(family, protocol, 9, random.nextInt(4), 8080, 11, 11, random.nextInt(1024));
        }
        return new FlowTuple[] {a, b};
    }

    private static String key(final FlowTuple tuple)
    {
        return tuple.family() + "/" + tuple.protocol() + "/" + tuple.sourceHi() + "/" + tuple.sourceLo() + "/"
            + tuple.sourcePort() + "/" + tuple.destinationHi() + "/" + tuple.destinationLo() + "/"
            + tuple.destinationPort();
    }
}
