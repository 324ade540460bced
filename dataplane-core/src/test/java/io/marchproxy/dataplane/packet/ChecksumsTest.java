package io.marchproxy.dataplane.packet;

import io.marchproxy.dataplane.net.IpFamily;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static io.marchproxy.dataplane.packet.NetworkByteOrder.putU16;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.putU32;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.putU64;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u16;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u32;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Known vectors (RFC 1071, RFC 1624, a textbook IPv4 header, frames whose checksums were checked with an independent
 * Python implementation when they were written into this file) and properties: incremental updates agree with a full
 * recomputation over many random rewrites.
 */
class ChecksumsTest
{
    /** UDP/IPv4 192.168.1.10:51234 -> 93.184.216.34:53, payload "marchproxy!". */
    private static final String UDP4 = "525400654321525400123456080045000027123400004011"
        + "7105c0a8010a5db8d822c82200350013ebc46d6172636870726f787921";
    /** TCP/IPv4 SYN with MSS, SACK-permitted, timestamps, window scale options. */
    private static final String TCP4 = "52540065432152540012345608004500003c123400004006"
        + "18380a141e280a141e01ad211f900102030400000000a002ffff26f70000020405b40402080a000000010000000001030307";
    /** TCP/IPv6 SYN-ACK 2001:db8::10:443 -> 2001:db8:ffff::1:50000 with 6 bytes of payload. */
    private static final String TCP6 = "52540065432152540012345686dd60000000001a063920010db8000000000000000000000010"
        + "20010db8ffff0000000000000000000101bbc350010203040a0b0c0d5012ffff41d80000030a11181f26";
    /** UDP/IPv6 fe80::1:547 -> ff02::1:546, payload "dhcp6". */
    private static final String UDP6 = "52540065432152540012345686dd60000000000d1101fe80000000000000000000000000"
        + "0001ff02000000000000000000000000000102230222000d00316468637036";

    @Test
    void foldEqualsSixteenBitOnesComplementAddition()
    {
        // The reference: add the sum's 16-bit words one at a time with end-around carry.
        final SplittableRandom random = new SplittableRandom(1071);
        final long[] edges = {0, 1, 0xFFFF, 0x1_0000, 0x1_FFFE, 0xFFFF_FFFFL, 0x1_0000_0000L, 0xFFFF_FFFF_FFFFL,
            0x7FFF_FFFF_FFFF_FFFFL, 0xFFFF_0000_FFFF_0000L, -1L};
        for (int i = 0; i < 200_000; i++)
        {
            final long sum = i < edges.length ? edges[i]
                : random.nextLong() >>> random.nextInt(64);
            long reference = 0;
            for (int shift = 0; shift < 64; shift += 16)
            {
                reference += (sum >>> shift) & 0xFFFF;
                reference = (reference & 0xFFFF) + (reference >>> 16);
            }
            assertEquals(reference, Checksums.fold(sum), () -> Long.toHexString(sum));
        }
    }

    @Test
    void rfc1071Example()
    {
        final MemorySegment bytes = MemorySegment.ofArray(FrameBuilder.bytes("0001 f203 f4f5 f6f7"));
        assertEquals(0xDDF2, Checksums.fold(Checksums.sum(bytes, 0, 8, 0)));
        assertEquals(0x220D, Checksums.checksum(bytes, 0, 8));
        assertEquals(0x220D, ReferenceChecksum.of(FrameBuilder.bytes("0001 f203 f4f5 f6f7")));
    }

    @Test
    void oddLengthsPadWithAZeroByte()
    {
        final byte[] odd = FrameBuilder.bytes("0102 0304 05");
        assertEquals(ReferenceChecksum.of(odd), Checksums.checksum(MemorySegment.ofArray(odd), 0, 5));
        final SplittableRandom random = new SplittableRandom(7);
        for (int length = 0; length < 80; length++)
        {
            final byte[] bytes = new byte[length + 3];
            for (int i = 0; i < bytes.length; i++)
            {
                bytes[i] = (byte)random.nextInt(256);
            }
            final byte[] slice = java.util.Arrays.copyOfRange(bytes, 3, bytes.length);
            assertEquals(ReferenceChecksum.of(slice), Checksums.checksum(MemorySegment.ofArray(bytes), 3, length),
                "length " + length);
        }
    }

    @Test
    void textbookIpv4Header()
    {
        final MemorySegment header = MemorySegment.ofArray(
            FrameBuilder.bytes("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7"));
        assertEquals(0xB861, Checksums.ipv4Header(header, 0, 20));
        assertTrue(Checksums.verifies(header, 0, 20, 0));
        putU16(header, 10, 0);
        assertEquals(0xB861, Checksums.checksum(header, 0, 20));
    }

    @Test
    void rfc1624Examples()
    {
        // Section 4: HC = 0xDD2F, m = 0x5555 -> m' = 0x3285. Eqn. 3 gives 0x0000 (eqn. 2 would give 0xFFFF).
        assertEquals(0x0000, Checksums.update16(0xDD2F, 0x5555, 0x3285));
        // The way back restores the original checksum.
        assertEquals(0xDD2F, Checksums.update16(0x0000, 0x3285, 0x5555));
        // An update that changes nothing keeps a computed checksum (never 0xFFFF unless all data is 0) as it is ...
        assertEquals(0x0000, Checksums.update16(0x0000, 0x1234, 0x1234));
        assertEquals(0xFFFE, Checksums.update16(0xFFFE, 0x1234, 0x1234));
        // ... and turns UDP's stored 0xFFFF (a computed 0) into 0x0000, the same ones' complement value, which
        // udpWire turns back: the rewriter always passes UDP results through it.
        assertEquals(0x0000, Checksums.update16(0xFFFF, 0x1234, 0x1234));
        assertEquals(0xFFFF, Checksums.udpWire(Checksums.update16(0xFFFF, 0x1234, 0x1234)));
    }

    @Test
    void capturedFramesVerify()
    {
        checkFrame(UDP4, IpFamily.IPV4, 14, 34, IpProtocol.UDP);
        checkFrame(TCP4, IpFamily.IPV4, 14, 34, IpProtocol.TCP);
        checkFrame(TCP6, IpFamily.IPV6, 14, 54, IpProtocol.TCP);
        checkFrame(UDP6, IpFamily.IPV6, 14, 54, IpProtocol.UDP);
    }

    private static void checkFrame(final String hex, final int family, final int l3, final int l4, final int protocol)
    {
        final byte[] frame = FrameBuilder.bytes(hex);
        final MemorySegment segment = MemorySegment.ofArray(frame);
        final int l4Length = frame.length - l4;
        final int stored = u16(segment, l4 + Checksums.transportChecksumOffset(protocol));
        assertEquals(stored, Checksums.transport(segment, family, l3, l4, l4Length, protocol), hex);
        if (family == IpFamily.IPV4)
        {
            assertEquals(u16(segment, l3 + 10), Checksums.ipv4Header(segment, l3, 20));
        }
        final PacketParser parser = new PacketParser();
        final ParsedPacket packet = new ParsedPacket();
        assertEquals(protocol == IpProtocol.TCP ? PacketVerdict.TCP : PacketVerdict.UDP,
            parser.parse(segment, 0, frame.length, packet));
    }

    @Test
    void udpComputedZeroGoesOnTheWireAsAllOnes()
    {
        final byte[] frame = FrameBuilder.bytes(UDP4);
        final MemorySegment segment = MemorySegment.ofArray(frame);
        final int l4 = 34;
        final int l4Length = frame.length - l4;
        putU16(segment, l4 + 6, 0);
        final int computed = Checksums.transport(segment, IpFamily.IPV4, 14, l4, l4Length, IpProtocol.UDP);
        // Add the checksum to a payload word: the data then sums to 0xFFFF and the computed checksum is 0.
        final long word = l4 + 8;
        putU16(segment, word, Checksums.fold((long)u16(segment, word) + computed));
        assertEquals(0, Checksums.transport(segment, IpFamily.IPV4, 14, l4, l4Length, IpProtocol.UDP));
        assertEquals(0xFFFF, Checksums.udpWire(0));
        assertEquals(0x1234, Checksums.udpWire(0x1234));
        putU16(segment, l4 + 6, Checksums.udpWire(0));
        final long pseudo = Checksums.pseudoHeaderIpv4(u32(segment, 26), u32(segment, 30), IpProtocol.UDP, l4Length);
        assertTrue(Checksums.verifies(segment, l4, l4Length, pseudo), "0xFFFF verifies like 0 would");
    }

    @Test
    void incrementalUpdatesEqualFullRecomputation()
    {
        final SplittableRandom random = new SplittableRandom(1624);
        for (int round = 0; round < 50_000; round++)
        {
            final int length = 2 * (8 + random.nextInt(40));
            final byte[] bytes = new byte[length];
            for (int i = 0; i < length; i++)
            {
                bytes[i] = (byte)random.nextInt(256);
            }
            final MemorySegment segment = MemorySegment.ofArray(bytes);
            int checksum = Checksums.checksum(segment, 0, length);
            final int kind = random.nextInt(3);
            final int width = kind == 0 ? 2 : kind == 1 ? 4 : 16;
            final int at = 2 * random.nextInt((length - width) / 2 + 1);
            if (kind == 0)
            {
                final int old = u16(segment, at);
                final int updated = random.nextInt(4) == 0 ? (old ^ 0xFFFF) : random.nextInt(65536);
                putU16(segment, at, updated);
                checksum = Checksums.update16(checksum, old, updated);
            }
            else if (kind == 1)
            {
                final int old = u32(segment, at);
                final int updated = random.nextInt();
                putU32(segment, at, updated);
                checksum = Checksums.update32(checksum, old, updated);
            }
            else
            {
                final long oldHi = u64(segment, at);
                final long oldLo = u64(segment, at + 8);
                final long newHi = random.nextLong();
                final long newLo = random.nextBoolean() ? random.nextLong() : oldLo;
                putU64(segment, at, newHi);
                putU64(segment, at + 8, newLo);
                checksum = Checksums.update128(checksum, oldHi, oldLo, newHi, newLo);
            }
            assertEquals(Checksums.checksum(segment, 0, length), checksum, "round " + round);
            assertEquals(ReferenceChecksum.of(bytes), checksum);
        }
    }

    @Test
    void pseudoHeadersMatchTheReference()
    {
        final SplittableRandom random = new SplittableRandom(9);
        for (int round = 0; round < 2_000; round++)
        {
            final int source = random.nextInt();
            final int destination = random.nextInt();
            final int length = random.nextInt(65536);
            final byte[] v4 = new byte[12];
            final MemorySegment s4 = MemorySegment.ofArray(v4);
            putU32(s4, 0, source);
            putU32(s4, 4, destination);
            putU16(s4, 8, IpProtocol.UDP);
            putU16(s4, 10, length);
            assertEquals(ReferenceChecksum.of(v4),
                Checksums.finish(Checksums.pseudoHeaderIpv4(source, destination, IpProtocol.UDP, length)));

            final long[] words = {random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong()};
            final byte[] v6 = new byte[40];
            final MemorySegment s6 = MemorySegment.ofArray(v6);
            for (int i = 0; i < 4; i++)
            {
                putU64(s6, 8L * i, words[i]);
            }
            putU32(s6, 32, length);
            putU32(s6, 36, IpProtocol.TCP);
            assertEquals(ReferenceChecksum.of(v6), Checksums.finish(
                Checksums.pseudoHeaderIpv6(words[0], words[1], words[2], words[3], IpProtocol.TCP, length)));
        }
    }
}
