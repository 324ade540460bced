package io.marchproxy.dataplane.nat;

import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.packet.Checksums;
import io.marchproxy.dataplane.packet.DropReason;
import io.marchproxy.dataplane.packet.FrameBuilder;
import io.marchproxy.dataplane.packet.IcmpHeader;
import io.marchproxy.dataplane.packet.IpProtocol;
import io.marchproxy.dataplane.packet.PacketParser;
import io.marchproxy.dataplane.packet.PacketVerdict;
import io.marchproxy.dataplane.packet.ParsedPacket;
import io.marchproxy.dataplane.packet.TcpHeader;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every rewrite is checked byte for byte against the frame {@link FrameBuilder} builds from scratch for the target
 * tuple, whose checksums come from the reference implementation: incremental fix-ups must equal full recomputation.
 */
class NatRewriterTest
{
    private final PacketParser parser = new PacketParser();
    private final ParsedPacket packet = new ParsedPacket();

    @Test
    void rewritesIpv4AndIpv6TcpAndUdpLikeAFreshlyBuiltFrame()
    {
        final SplittableRandom random = new SplittableRandom(42);
        for (int round = 0; round < 4_000; round++)
        {
            final boolean v6 = random.nextBoolean();
            final boolean tcp = random.nextBoolean();
            final String[] from = addresses(random, v6);
            final String[] to = addresses(random, v6);
            final int[] fromPorts = ports(random);
            final int[] toPorts = ports(random);
            final int payload = random.nextInt(70);
            final int vlan = random.nextInt(3);
            final byte[] options = !v6 && random.nextBoolean() ? new byte[4 * random.nextInt(1, 4)] : new byte[0];
            final byte[] original = frame(v6, tcp, from, fromPorts, payload, vlan, options).frame();
            final byte[] expected = frame(v6, tcp, to, toPorts, payload, vlan, options).frame();

            final MemorySegment segment = MemorySegment.ofArray(original);
            parser.parse(segment, 0, original.length, packet);
            NatRewriter.rewriteFlow(packet, FrameBuilder.tuple(tcp, to, toPorts));
            assertArrayEquals(expected, original, () -> FrameBuilder.hex(expected) + "\n" + FrameBuilder.hex(original));
        }
    }

    @Test
    void forwardEqualsTtlRewriteAndMacsInARow()
    {
        final SplittableRandom random = new SplittableRandom(4242);
        final ParsedPacket second = new ParsedPacket();
        for (int round = 0; round < 2_000; round++)
        {
            final ForwardCase c = ForwardCase.random(random);
            final byte[] fused = c.bytes();
            final byte[] stepwise = fused.clone();
            parser.parse(MemorySegment.ofArray(fused), 0, fused.length, packet);
            parser.parse(MemorySegment.ofArray(stepwise), 0, stepwise.length, second);
            final boolean forwarded = NatRewriter.forward(packet, c.target(), c.sourceMac(), c.destinationMac());
            final boolean expected = NatRewriter.decrementTtl(second);
            if (expected)
            {
                NatRewriter.rewriteFlow(second, c.target());
                NatRewriter.rewriteMacs(second, c.sourceMac(), c.destinationMac());
            }
            assertEquals(expected, forwarded);
            assertArrayEquals(stepwise, fused, () -> FrameBuilder.hex(stepwise) + "\n" + FrameBuilder.hex(fused));
        }
    }

    /**
     * translate, and translateIpv4 given the new addresses and ports as values with their checksum deltas already
     * folded, followed by rewriteMacs, must write what forward writes (heap and native frames; UDP with and without a
     * checksum; TTL 1 refused with nothing written).
     */
    @Test
    void translateThenRewriteMacsEqualsForward()
    {
        final SplittableRandom random = new SplittableRandom(1624);
        final ParsedPacket second = new ParsedPacket();
        int ipv4 = 0;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment memory = arena.allocate(512);
            for (int round = 0; round < 4_000; round++)
            {
                final ForwardCase c = ForwardCase.random(random);
                final byte[] expected = c.bytes();
                final byte[] actual = expected.clone();
                parser.parse(MemorySegment.ofArray(expected), 0, expected.length, packet);
                final MemorySegment frame = random.nextBoolean() ? MemorySegment.ofArray(actual)
                    : memory.asSlice(0, actual.length).copyFrom(MemorySegment.ofArray(actual));
                parser.parse(frame, 0, actual.length, second);
                final FlowTuple from = packet.tuple();
                final FlowTuple to = c.target();
                final boolean translated;
                if (packet.family() == 4 && random.nextBoolean())
                {
                    ipv4++;
                    final int source = (int)to.sourceLo();
                    final int destination = (int)to.destinationLo();
                    final int ports = to.sourcePort() << 16 | to.destinationPort();
                    final int addressDelta = Checksums.fold(Checksums.delta32((int)from.sourceLo(), source)
                        + Checksums.delta32((int)from.destinationLo(), destination));
                    final int portDelta = Checksums.fold(
                        Checksums.delta32(from.sourcePort() << 16 | from.destinationPort(), ports));
                    translated = NatRewriter.translateIpv4(second, source, destination, ports, addressDelta, portDelta);
                }
                else
                {
                    translated = NatRewriter.translate(second, to);
                }
                if (translated)
                {
                    NatRewriter.rewriteMacs(second, c.sourceMac(), c.destinationMac());
                }
                assertEquals(NatRewriter.forward(packet, to, c.sourceMac(), c.destinationMac()), translated);
                final byte[] written = frame.toArray(ValueLayout.JAVA_BYTE);
                assertArrayEquals(expected, written,
                    () -> FrameBuilder.hex(expected) + "\n" + FrameBuilder.hex(written));
            }
        }
        assertTrue(ipv4 > 500, "IPv4 cases: " + ipv4);
    }

    @Test
    void translateIpv4RefusesAnIpv6Packet()
    {
        final byte[] frame = frame(true, false, new String[] {"2001:db8::1", "2001:db8::2"}, new int[] {1, 2}, 0, 0,
            new byte[0]).frame();
        parser.parse(MemorySegment.ofArray(frame), 0, frame.length, packet);
        assertThrows(IllegalArgumentException.class, () -> NatRewriter.translateIpv4(packet, 1, 2, 3, 0, 0));
    }

    /**
     * A native frame is written through {@code UncheckedMemory}, a heap frame through its own segment: both must give
     * the same bytes, and the native one must write nothing outside its frame (guard bytes on both sides, the frame at
     * an odd offset of a larger segment so that the parsed offsets are added to the right address).
     */
    @Test
    void forwardWritesANativeFrameAsAHeapOneAndNothingAroundIt()
    {
        final SplittableRandom random = new SplittableRandom(7);
        final ParsedPacket nativePacket = new ParsedPacket();
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment memory = arena.allocate(512);
            for (int round = 0; round < 2_000; round++)
            {
                final ForwardCase c = ForwardCase.random(random);
                final byte[] heap = c.bytes();
                final long at = 1 + random.nextInt(64);
                memory.fill((byte)0x5A);
                MemorySegment.copy(heap, 0, memory, ValueLayout.JAVA_BYTE, at, heap.length);
                parser.parse(MemorySegment.ofArray(heap), 0, heap.length, packet);
                parser.parse(memory, at, heap.length, nativePacket);
                assertEquals(NatRewriter.forward(packet, c.target(), c.sourceMac(), c.destinationMac()),
                    NatRewriter.forward(nativePacket, c.target(), c.sourceMac(), c.destinationMac()));
                assertArrayEquals(heap, memory.asSlice(at, heap.length).toArray(ValueLayout.JAVA_BYTE));
                assertGuard(memory, 0, at);
                assertGuard(memory, at + heap.length, memory.byteSize());
            }
        }
    }

    /**
     * forward's contract is a TCP or UDP verdict; a packet of another verdict (here a truncated frame, whose offsets
     * are -1) must take the checked path: an exception, and not a byte written outside the frame, as an unchecked
     * write at those offsets would.
     */
    @Test
    void forwardOfAnotherVerdictIsCheckedEvenOnANativeFrame()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment memory = arena.allocate(256);
            memory.fill((byte)0x5A);
            final MemorySegment frame = memory.asSlice(64, 10);
            assertEquals(PacketVerdict.DROP, parser.parse(frame, 0, 10, packet));
            assertEquals(DropReason.ETHERNET_TRUNCATED, packet.dropReason());
            assertThrows(IndexOutOfBoundsException.class, () -> NatRewriter.forward(packet,
                FrameBuilder.tuple(false, new String[] {"192.0.2.1", "192.0.2.2"}, new int[] {1, 2}), 1, 2));
            assertGuard(memory, 0, 64);
            assertGuard(memory, 74, 256);
        }
    }

    /**
     * A random frame for {@link NatRewriter#forward} (IPv4 or IPv6, TCP or UDP, VLAN tags, any TTL with 1 a quarter of
     * the time, IPv4 UDP without checksum sometimes) and where forward sends it.
     */
    private record ForwardCase(byte[] bytes, FlowTuple target, long sourceMac, long destinationMac)
    {
        static ForwardCase random(final SplittableRandom random)
        {
            final boolean v6 = random.nextBoolean();
            final boolean tcp = random.nextBoolean();
            final String[] from = addresses(random, v6);
            final String[] to = addresses(random, v6);
            final int[] toPorts = ports(random);
            final FrameBuilder builder = frame(v6, tcp, from, ports(random),
                random.nextInt(40), random.nextInt(3), new byte[0])
                .ttl(random.nextInt(4) == 0 ? 1 : random.nextInt(256));
            if (!v6 && !tcp && random.nextInt(4) == 0)
            {
                builder.udpWithoutChecksum();
            }
            return new ForwardCase(builder.frame(), FrameBuilder.tuple(tcp, to, toPorts),
                random.nextLong() & 0xFFFF_FFFF_FFFFL, random.nextLong() & 0xFFFF_FFFF_FFFFL);
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

    private static void assertGuard(final MemorySegment memory, final long from, final long to)
    {
        for (long i = from; i < to; i++)
        {
            assertEquals((byte)0x5A, memory.get(ValueLayout.JAVA_BYTE, i), "byte " + i + " outside the frame");
        }
    }

    @Test
    void udpOverIpv4WithoutChecksumKeepsNone()
    {
        final String[] from = {"10.0.0.1", "10.0.0.2"};
        final String[] to = {"192.0.2.7", "198.51.100.3"};
        final byte[] original = frame(false, false, from, new int[] {1000, 53}, 11, 0, new byte[0])
            .udpWithoutChecksum().frame();
        final byte[] expected = frame(false, false, to, new int[] {20000, 5353}, 11, 0, new byte[0])
            .udpWithoutChecksum().frame();
        parser.parse(MemorySegment.ofArray(original), 0, original.length, packet);
        NatRewriter.rewriteFlow(packet, FrameBuilder.tuple(false, to, new int[] {20000, 5353}));
        assertArrayEquals(expected, original);
        assertEquals(0, original[14 + 20 + 6] | original[14 + 20 + 7]);
    }

    @Test
    void decrementsTtlAndHopLimitUntilOne()
    {
        for (final boolean v6 : new boolean[] {false, true})
        {
            final String[] addresses = v6
                ? new String[] {"2001:db8::1", "2001:db8::2"}
                : new String[] {"1.2.3.4", "5.6.7.8"};
            final byte[] frame = frame(v6, true, addresses, new int[] {1, 2}, 0, 0, new byte[0]).ttl(2).frame();
            final byte[] expected = frame(v6, true, addresses, new int[] {1, 2}, 0, 0, new byte[0]).ttl(1).frame();
            parser.parse(MemorySegment.ofArray(frame), 0, frame.length, packet);
            assertTrue(NatRewriter.decrementTtl(packet));
            assertArrayEquals(expected, frame);
            assertFalse(NatRewriter.decrementTtl(packet), "TTL 1 is not forwarded");
            assertArrayEquals(expected, frame, "and is left as it is");
        }
    }

    @Test
    void rewritesMacs()
    {
        final byte[] frame = new FrameBuilder().vlan(0x8100, 3).udp(1, 2).frame();
        final byte[] expected = new FrameBuilder().vlan(0x8100, 3).macs(0x0A0B0C0D0E0FL, 0xFEDCBA987654L).udp(1, 2)
            .frame();
        parser.parse(MemorySegment.ofArray(frame), 0, frame.length, packet);
        NatRewriter.rewriteMacs(packet, 0x0A0B0C0D0E0FL, 0xFEDCBA987654L);
        assertArrayEquals(expected, frame);
    }

    @Test
    void translatesIcmpErrorsForTheClient()
    {
        final SplittableRandom random = new SplittableRandom(792);
        for (int round = 0; round < 400; round++)
        {
            final boolean v6 = random.nextBoolean();
            final boolean tcp = random.nextBoolean();
            final boolean udpWithoutChecksum = !v6 && !tcp && random.nextInt(4) == 0;
            final String client = FrameBuilder.randomAddress(random, v6);
            final String vip = FrameBuilder.randomAddress(random, v6);
            final String node = FrameBuilder.randomAddress(random, v6);
            final String backend = FrameBuilder.randomAddress(random, v6);
            final String router = FrameBuilder.randomAddress(random, v6);
            final int clientPort = random.nextInt(1, 65536);
            final int vipPort = random.nextInt(1, 65536);
            final int natPort = random.nextInt(1, 65536);
            final int backendPort = random.nextInt(1, 65536);
            final int payload = random.nextInt(100);
            final int quotedTransport = tcp ? (random.nextBoolean() ? 8 : 20) : 8;

            // What the node sent to the backend, and what the client had sent to the VIP (same TTL, same payload).
            final FrameBuilder sent = frame(v6, tcp, new String[] {node, backend}, new int[] {natPort, backendPort},
                payload, 0, new byte[0]);
            final FrameBuilder original = frame(v6, tcp, new String[] {client, vip}, new int[] {clientPort, vipPort},
                payload, 0, new byte[0]);
            if (udpWithoutChecksum)
            {
                sent.udpWithoutChecksum();
                original.udpWithoutChecksum();
            }
            final int quotedLength = (v6 ? 40 : 20) + quotedTransport;
            final int type = v6 ? IcmpHeader.V6_PACKET_TOO_BIG : IcmpHeader.V4_DESTINATION_UNREACHABLE;
            final int code = v6 ? 0 : IcmpHeader.V4_CODE_FRAGMENTATION_NEEDED;
            final byte[] error = new FrameBuilder().vlan(0x8100, 9).addresses(router, node)
                .icmp(type, code, 1400, Arrays.copyOf(sent.ipPacket(), quotedLength)).ttl(50).frame();
            final byte[] expected = new FrameBuilder().vlan(0x8100, 9).addresses(vip, client)
                .icmp(type, code, 1400, Arrays.copyOf(original.ipPacket(), quotedLength)).ttl(50).frame();

            assertEquals(PacketVerdict.ICMP_ERROR, parser.parse(MemorySegment.ofArray(error), 0, error.length, packet));
            final FlowTuple outer = new FlowTuple().set(IpProtocol.ICMP, IpAddress.parse(vip), 0,
                IpAddress.parse(client), 0);
            final FlowTuple quoted = new FlowTuple().set(tcp ? IpProtocol.TCP : IpProtocol.UDP,
                IpAddress.parse(client), clientPort, IpAddress.parse(vip), vipPort);
            NatRewriter.rewriteIcmpError(packet, outer, quoted);
            assertArrayEquals(expected, error,
                () -> "\n" + FrameBuilder.hex(expected) + "\n" + FrameBuilder.hex(error));
        }
    }

    private static FrameBuilder frame(
        final boolean v6,
        final boolean tcp,
        final String[] addresses,
        final int[] ports,
        final int payload,
        final int vlans,
        final byte[] ipv4Options)
    {
        final FrameBuilder builder = new FrameBuilder().addresses(addresses[0], addresses[1]).payload(payload);
        for (int i = 0; i < vlans; i++)
        {
            builder.vlan(i == 0 && vlans == 2 ? 0x88A8 : 0x8100, 10 + i);
        }
        if (ipv4Options.length > 0)
        {
            builder.ipv4Options(ipv4Options);
        }
        return tcp
            ? builder.tcp(ports[0], ports[1], TcpHeader.ACK | TcpHeader.PSH)
            : builder.udp(ports[0], ports[1]);
    }
}
