package io.marchproxy.dataplane.packet;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random and mutated frames: the parser must never throw, must stay inside the frame (each frame sits at the very end
 * of its segment, so a read past it would throw), every layer it reports must lie inside the frame, and the counters
 * must add up: verdicts sum to frames, parse drops sum to the DROP verdicts.
 */
class PacketParserFuzzTest
{
    private static final int FRAMES = 300_000;

    @Test
    void randomAndMutatedFramesNeverThrowAndCountsAddUp()
    {
        final SplittableRandom random = new SplittableRandom(0x5EED_F00DL);
        final List<byte[]> corpus = corpus();
        final PacketParser parser = new PacketParser();
        final ParsedPacket packet = new ParsedPacket();
        final long[] byVerdict = new long[PacketVerdict.values().length];
        for (int n = 0; n < FRAMES; n++)
        {
            final byte[] frame = n % 10 == 0
                ? randomBytes(random)
                : mutate(corpus.get(random.nextInt(corpus.size())), random);
            final int offset = random.nextInt(4) == 0 ? random.nextInt(64) : 0;
            final byte[] memory = new byte[offset + frame.length];
            System.arraycopy(frame, 0, memory, offset, frame.length);
            final MemorySegment segment = MemorySegment.ofArray(memory);
            final PacketVerdict verdict;
            try
            {
                verdict = parser.parse(segment, offset, frame.length, packet);
            }
            catch (final RuntimeException ex)
            {
                throw new AssertionError("parser threw on " + FrameBuilder.hex(frame), ex);
            }
            byVerdict[verdict.ordinal()]++;
            checkInsideFrame(packet, offset, frame);
        }

        assertEquals(FRAMES, parser.verdicts().sum());
        for (final PacketVerdict verdict : PacketVerdict.values())
        {
            assertEquals(byVerdict[verdict.ordinal()], parser.verdicts().get(verdict), verdict.name());
        }
        assertEquals(parser.verdicts().get(PacketVerdict.DROP), parser.drops().sum());
        for (final PacketVerdict verdict : PacketVerdict.values())
        {
            assertTrue(byVerdict[verdict.ordinal()] > 100, () -> "the corpus reaches " + verdict + ": "
                + Arrays.toString(byVerdict));
        }
        assertTrue(parser.drops().get(DropReason.ICMP_EMBEDDED_TRUNCATED) > 0, parser.drops()::toString);
        assertTrue(parser.drops().get(DropReason.IPV6_EXTENSION_TRUNCATED) > 0, parser.drops()::toString);
    }

    private static void checkInsideFrame(final ParsedPacket packet, final int offset, final byte[] frame)
    {
        final long end = offset + frame.length;
        final PacketVerdict verdict = packet.verdict();
        if (verdict == PacketVerdict.DROP)
        {
            assertNotNull(packet.dropReason());
            return;
        }
        assertNull(packet.dropReason());
        if (verdict == PacketVerdict.ARP)
        {
            assertTrue(packet.l3Offset() + ArpPacket.LENGTH <= end);
            return;
        }
        assertTrue(packet.l3Offset() + packet.l3Length() <= end, "IP packet inside the frame");
        assertTrue(packet.l4Offset() >= packet.l3Offset() && packet.l4Offset() + packet.l4Length() <= end);
        switch (verdict)
        {
            case TCP:
            case UDP:
                assertTrue(packet.payloadOffset() + packet.payloadLength() <= packet.l3Offset() + packet.l3Length());
                break;
            case ICMP_ERROR:
                assertTrue(packet.embeddedL3Offset() > packet.l4Offset());
                assertTrue(packet.embeddedL4Offset() + packet.embeddedL4Length() <= end);
                assertTrue(packet.embeddedL4Length() >= 8);
                break;
            case ICMP:
                assertTrue(packet.l4Length() >= IcmpHeader.LENGTH);
                break;
            case OTHER_IP:
                break;
            default:
                fail("unexpected verdict " + verdict);
        }
    }

    private static byte[] randomBytes(final SplittableRandom random)
    {
        final byte[] bytes = new byte[random.nextInt(160)];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)random.nextInt(256);
        }
        if (bytes.length > 14 && random.nextBoolean())
        {
            final int[] types = {0x0800, 0x86DD, 0x0806, 0x8100, 0x88A8};
            final int type = types[random.nextInt(types.length)];
            bytes[12] = (byte)(type >>> 8);
            bytes[13] = (byte)type;
        }
        return bytes;
    }

    /** Flips a few bytes (often in the headers), truncates, or extends a valid frame. */
    private static byte[] mutate(final byte[] valid, final SplittableRandom random)
    {
        byte[] frame = valid.clone();
        final int edits = random.nextInt(4);
        for (int i = 0; i < edits; i++)
        {
            final int position = random.nextInt(4) == 0
                ? random.nextInt(frame.length)
                : random.nextInt(Math.min(frame.length, 90));
            frame[position] = (byte)(random.nextBoolean()
                ? random.nextInt(256)
                : frame[position] ^ (1 << random.nextInt(8)));
        }
        final int cut = random.nextInt(6);
        if (cut == 0)
        {
            frame = Arrays.copyOf(frame, random.nextInt(frame.length + 1));
        }
        else if (cut == 1)
        {
            frame = Arrays.copyOf(frame, frame.length + random.nextInt(40));
        }
        return frame;
    }

    private static List<byte[]> corpus()
    {
        final List<byte[]> corpus = new ArrayList<>();
        final byte[] udp4 = new FrameBuilder().addresses("10.0.0.5", "172.16.0.9").udp(20001, 8080).payload(40)
            .ipPacket();
        final byte[] tcp6 = new FrameBuilder().addresses("2001:db8::5", "2001:db8::9")
            .ipv6Extension(IpProtocol.DESTINATION_OPTIONS, new byte[] {0, 1, 4, 0, 0, 0, 0})
            .tcp(30000, 22, TcpHeader.ACK).payload(30).ipPacket();
        corpus.add(new FrameBuilder().udp(1, 2).payload(18).frame());
        corpus.add(new FrameBuilder().vlan(0x8100, 5).tcp(1000, 80, TcpHeader.SYN).tcpOptions(new byte[8]).frame());
        corpus.add(new FrameBuilder().vlan(0x88A8, 5).vlan(0x8100, 6).ipv4Options(new byte[12]).udp(3, 4).frame());
        corpus.add(new FrameBuilder().addresses("::1", "::2").udp(53, 5353).payload(12).frame());
        corpus.add(new FrameBuilder().addresses("::1", "::2")
            .ipv6Extension(IpProtocol.HOP_BY_HOP, new byte[] {0, 1, 4, 0, 0, 0, 0})
            .ipv6Extension(IpProtocol.ROUTING, new byte[] {1, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
            .ipv6Extension(IpProtocol.FRAGMENT, new byte[] {0, 0, 0, 0, 0, 0, 1})
            .tcp(1, 2, TcpHeader.FIN).frame());
        corpus.add(new FrameBuilder().icmp(IcmpHeader.V4_ECHO_REQUEST, 0, 7, new byte[0]).payload(16).frame());
        corpus.add(new FrameBuilder().icmp(IcmpHeader.V4_DESTINATION_UNREACHABLE, 3, 0, Arrays.copyOf(udp4, 28))
            .frame());
        corpus.add(new FrameBuilder().icmp(IcmpHeader.V4_TIME_EXCEEDED, 0, 0, udp4).frame());
        corpus.add(new FrameBuilder().addresses("2001:db8::fe", "2001:db8::5")
            .icmp(IcmpHeader.V6_PACKET_TOO_BIG, 0, 1280, Arrays.copyOf(tcp6, 68)).frame());
        corpus.add(new FrameBuilder().addresses("2001:db8::fe", "2001:db8::5")
            .icmp(IcmpHeader.V6_ECHO_REPLY, 0, 0, new byte[0]).payload(8).frame());
        corpus.add(new FrameBuilder().otherProtocol(47).payload(20).frame());
        corpus.add(FrameBuilder.bytes(
            "ffffffffffff 020000000001 0806 0001 0800 06 04 0001 020000000001 0a000001 000000000000 0a000002"));
        return corpus;
    }
}
