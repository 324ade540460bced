package io.marchproxy.dataplane.packet;

import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.IpFamily;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each layer the parser reads, and each drop reason it gives, on frames built byte by byte. */
class PacketParserTest
{
    private final PacketParser parser = new PacketParser();
    private final ParsedPacket packet = new ParsedPacket();

    private PacketVerdict parse(final byte[] frame)
    {
        return parser.parse(MemorySegment.ofArray(frame), 0, frame.length, packet);
    }

    @Test
    void ipv4Udp()
    {
        final byte[] frame = new FrameBuilder().addresses("192.0.2.1", "198.51.100.7").udp(40000, 53).payload(20)
            .ttl(17).frame();
        assertEquals(PacketVerdict.UDP, parse(frame));
        assertNull(packet.dropReason());
        assertEquals(IpFamily.IPV4, packet.family());
        assertEquals(14, packet.l3Offset());
        assertEquals(34, packet.l4Offset());
        assertEquals(42, packet.payloadOffset());
        assertEquals(20, packet.payloadLength());
        assertEquals(17, packet.ttl());
        assertEquals(IpProtocol.UDP, packet.protocol());
        assertEquals(IpAddress.parse("192.0.2.1"), packet.tuple().sourceAddress());
        assertEquals(IpAddress.parse("198.51.100.7"), packet.tuple().destinationAddress());
        assertEquals(40000, packet.tuple().sourcePort());
        assertEquals(53, packet.tuple().destinationPort());
        assertEquals(0, packet.vlanCount());
    }

    @Test
    void untaggedIpv4AfterATaggedFrameHasNoTagsLeft()
    {
        // The untagged IPv4 frame skips the tag walk: nothing of the tagged frame before it may show through.
        final byte[] tagged = new FrameBuilder().vlan(EthernetFrame.ETHER_TYPE_VLAN, 300)
            .addresses("192.0.2.1", "198.51.100.7").udp(1, 2).frame();
        assertEquals(PacketVerdict.UDP, parse(tagged));
        assertEquals(300, packet.outerVlanId());
        assertEquals(18, packet.l3Offset());
        final byte[] untagged = new FrameBuilder().addresses("192.0.2.1", "198.51.100.7").udp(1, 2).frame();
        assertEquals(PacketVerdict.UDP, parse(untagged));
        assertEquals(0, packet.vlanCount());
        assertEquals(-1, packet.outerVlanId());
        assertEquals(EthernetFrame.ETHER_TYPE_IPV4, packet.etherType());
        assertEquals(14, packet.l3Offset());
        assertEquals(PacketVerdict.DROP, parse(Arrays.copyOf(untagged, 14)), "EtherType IPv4 and nothing after");
        assertEquals(DropReason.IPV4_TRUNCATED, packet.dropReason());
        assertEquals(-1, packet.l3Offset());
    }

    @Test
    void qinqTcpWithIpv4AndTcpOptions()
    {
        final byte[] frame = new FrameBuilder()
            .vlan(EthernetFrame.ETHER_TYPE_QINQ, 100).vlan(EthernetFrame.ETHER_TYPE_VLAN, 200)
            .addresses("10.1.2.3", "10.9.8.7")
            .ipv4Options(new byte[] {1, 1, 1, 0, 0x44, 4, 5, 0})
            .tcp(12345, 443, TcpHeader.SYN | TcpHeader.ACK)
            .tcpOptions(new byte[] {2, 4, 5, (byte)0xB4, 1, 1, 4, 2})
            .payload(3)
            .frame();
        assertEquals(PacketVerdict.TCP, parse(frame));
        assertEquals(2, packet.vlanCount());
        assertEquals(100, packet.outerVlanId());
        assertEquals(200, packet.innerVlanId());
        assertEquals(22, packet.l3Offset());
        assertEquals(28, packet.l3HeaderLength());
        assertEquals(22 + 28, packet.l4Offset());
        assertEquals(22 + 28 + 28, packet.payloadOffset());
        assertEquals(3, packet.payloadLength());
        assertEquals(TcpHeader.SYN | TcpHeader.ACK, packet.tcpFlags());
        assertEquals(443, packet.tuple().destinationPort());
    }

    @Test
    void ipv6TcpBehindEveryWalkedExtensionHeader()
    {
        final byte[] frame = new FrameBuilder()
            .addresses("2001:db8::1", "2001:db8:1::2")
            .ipv6Extension(IpProtocol.HOP_BY_HOP, new byte[] {0, 1, 4, 0, 0, 0, 0})
            .ipv6Extension(IpProtocol.DESTINATION_OPTIONS, new byte[] {1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
            .ipv6Extension(IpProtocol.ROUTING, new byte[] {0, 4, 0, 0, 0, 0, 0})
            .ipv6Extension(IpProtocol.FRAGMENT, new byte[] {0, 0, 0, 0, 0, 0, 42})
            .tcp(5555, 80, TcpHeader.ACK)
            .payload(10)
            .ttl(3)
            .frame();
        assertEquals(PacketVerdict.TCP, parse(frame));
        assertEquals(IpFamily.IPV6, packet.family());
        assertEquals(40 + 8 + 16 + 8 + 8, packet.l3HeaderLength());
        assertEquals(IpProtocol.TCP, packet.protocol());
        assertEquals(IpAddress.parse("2001:db8::1"), packet.tuple().sourceAddress());
        assertEquals(IpAddress.parse("2001:db8:1::2"), packet.tuple().destinationAddress());
        assertEquals(5555, packet.tuple().sourcePort());
        assertEquals(3, packet.ttl());
        assertEquals(10, packet.payloadLength());
    }

    @Test
    void icmpv4FragmentationNeededQuotingUdp()
    {
        final byte[] sent = new FrameBuilder().addresses("10.0.0.5", "172.16.0.9").udp(20001, 8080).payload(100)
            .ipPacket();
        final byte[] error = new FrameBuilder().addresses("10.0.0.254", "10.0.0.5")
            .icmp(IcmpHeader.V4_DESTINATION_UNREACHABLE, IcmpHeader.V4_CODE_FRAGMENTATION_NEEDED, 1400,
                Arrays.copyOf(sent, 28))
            .frame();
        assertEquals(PacketVerdict.ICMP_ERROR, parse(error));
        assertTrue(packet.isIcmpError());
        assertEquals(IcmpHeader.V4_DESTINATION_UNREACHABLE, packet.icmpType());
        assertEquals(IcmpHeader.V4_CODE_FRAGMENTATION_NEEDED, packet.icmpCode());
        assertEquals(IpProtocol.ICMP, packet.protocol());
        assertEquals(14 + 20 + 8, packet.embeddedL3Offset());
        assertEquals(14 + 20 + 8 + 20, packet.embeddedL4Offset());
        assertEquals(8, packet.embeddedL4Length());
        assertEquals(IpProtocol.UDP, packet.embeddedTuple().protocol());
        assertEquals(IpAddress.parse("10.0.0.5"), packet.embeddedTuple().sourceAddress());
        assertEquals(IpAddress.parse("172.16.0.9"), packet.embeddedTuple().destinationAddress());
        assertEquals(20001, packet.embeddedTuple().sourcePort());
        assertEquals(8080, packet.embeddedTuple().destinationPort());
    }

    @Test
    void icmpv6PacketTooBigQuotingTcpBehindAnExtension()
    {
        final byte[] sent = new FrameBuilder().addresses("2001:db8::5", "2001:db8::9")
            .ipv6Extension(IpProtocol.DESTINATION_OPTIONS, new byte[] {0, 1, 4, 0, 0, 0, 0})
            .tcp(30000, 22, TcpHeader.ACK).payload(1000).ipPacket();
        final byte[] error = new FrameBuilder().addresses("2001:db8::fe", "2001:db8::5")
            .icmp(IcmpHeader.V6_PACKET_TOO_BIG, 0, 1280, Arrays.copyOf(sent, 40 + 8 + 20))
            .frame();
        assertEquals(PacketVerdict.ICMP_ERROR, parse(error));
        assertEquals(IpProtocol.ICMPV6, packet.protocol());
        assertEquals(IpProtocol.TCP, packet.embeddedTuple().protocol());
        assertEquals(14 + 40 + 8 + 40 + 8, packet.embeddedL4Offset());
        assertEquals(20, packet.embeddedL4Length());
        assertEquals(30000, packet.embeddedTuple().sourcePort());
        assertEquals(22, packet.embeddedTuple().destinationPort());
        assertEquals(IpAddress.parse("2001:db8::9"), packet.embeddedTuple().destinationAddress());
    }

    @Test
    void echoIsIcmpNotAnError()
    {
        assertEquals(PacketVerdict.ICMP, parse(new FrameBuilder()
            .icmp(IcmpHeader.V4_ECHO_REQUEST, 0, 0x0001_0001, new byte[0]).payload(32).frame()));
        assertFalse(packet.isIcmpError());
        assertEquals(PacketVerdict.ICMP, parse(new FrameBuilder().addresses("::1", "::2")
            .icmp(IcmpHeader.V6_ECHO_REQUEST, 0, 0, new byte[0]).frame()));
    }

    @Test
    void arpAndOtherProtocols()
    {
        final byte[] arp = FrameBuilder.bytes(
            "ffffffffffff 020000000001 0806 0001 0800 06 04 0001 020000000001 0a000001 000000000000 0a000002");
        assertEquals(PacketVerdict.ARP, parse(arp));
        final byte[] badArp = arp.clone();
        badArp[14 + 4] = 8;
        assertEquals(PacketVerdict.DROP, parse(badArp));
        assertEquals(DropReason.ARP_MALFORMED, packet.dropReason());
        assertEquals(PacketVerdict.OTHER_IP, parse(new FrameBuilder().otherProtocol(47).payload(8).frame()));
        assertEquals(PacketVerdict.OTHER_IP, parse(new FrameBuilder().addresses("::1", "::2")
            .otherProtocol(IpProtocol.NO_NEXT_HEADER).frame()));
    }

    @Test
    void ethernetPaddingBeyondTheIpLengthIsIgnored()
    {
        final byte[] frame = Arrays.copyOf(new FrameBuilder().udp(1, 2).frame(), 60);
        assertEquals(PacketVerdict.UDP, parse(frame));
        assertEquals(28, packet.l3Length());
        assertEquals(0, packet.payloadLength());
    }

    @Test
    void everyDropReasonOfTheParser()
    {
        final byte[] udp4 = new FrameBuilder().udp(1, 2).payload(4).frame();
        final byte[] tcp4 = new FrameBuilder().tcp(1, 2, TcpHeader.SYN).frame();
        final byte[] udp6 = new FrameBuilder().addresses("::1", "::2").udp(1, 2).frame();

        expectDrop(DropReason.ETHERNET_TRUNCATED, Arrays.copyOf(udp4, 13));
        expectDrop(DropReason.VLAN_TRUNCATED, Arrays.copyOf(new FrameBuilder().vlan(0x8100, 1).frame(), 16));
        expectDrop(DropReason.TOO_MANY_VLAN_TAGS,
            new FrameBuilder().vlan(0x88A8, 1).vlan(0x8100, 2).vlan(0x8100, 3).frame());
        expectDrop(DropReason.UNKNOWN_ETHER_TYPE, with(udp4, 12, 0x88, 0xCC));
        expectDrop(DropReason.IPV4_TRUNCATED, Arrays.copyOf(udp4, 14 + 19));
        expectDrop(DropReason.IPV4_TRUNCATED, with(udp4, 14, 0x4F));
        expectDrop(DropReason.IPV4_BAD_VERSION, with(udp4, 14, 0x55));
        expectDrop(DropReason.IPV4_BAD_IHL, with(udp4, 14, 0x44));
        expectDrop(DropReason.IPV4_BAD_TOTAL_LENGTH, with(udp4, 16, 0x01, 0x00));
        expectDrop(DropReason.IPV4_BAD_TOTAL_LENGTH, with(udp4, 16, 0x00, 19));
        expectDrop(DropReason.LATER_FRAGMENT, new FrameBuilder().ipv4FragmentWord(0x0001).udp(1, 2).frame());
        expectDrop(DropReason.FIRST_FRAGMENT, new FrameBuilder().ipv4FragmentWord(0x2000).udp(1, 2).frame());
        expectDrop(DropReason.IPV6_TRUNCATED, Arrays.copyOf(udp6, 14 + 39));
        expectDrop(DropReason.IPV6_BAD_VERSION, with(udp6, 14, 0x40));
        expectDrop(DropReason.IPV6_BAD_PAYLOAD_LENGTH, with(udp6, 18, 0x00, 0x09));
        expectDrop(DropReason.IPV6_EXTENSION_TRUNCATED, new FrameBuilder().addresses("::1", "::2")
            .ipv6Extension(IpProtocol.HOP_BY_HOP, new byte[] {2, 0, 0, 0, 0, 0, 0}).udp(1, 2).frame());
        final FrameBuilder longChain = new FrameBuilder().addresses("::1", "::2");
        for (int i = 0; i <= PacketParser.MAX_IPV6_EXTENSION_HEADERS; i++)
        {
            longChain.ipv6Extension(IpProtocol.DESTINATION_OPTIONS, new byte[7]);
        }
        expectDrop(DropReason.IPV6_EXTENSION_CHAIN_TOO_LONG, longChain.udp(1, 2).frame());
        expectDrop(DropReason.LATER_FRAGMENT, new FrameBuilder().addresses("::1", "::2")
            .ipv6Extension(IpProtocol.FRAGMENT, new byte[] {0, 0, 8, 0, 0, 0, 1}).udp(1, 2).frame());
        expectDrop(DropReason.FIRST_FRAGMENT, new FrameBuilder().addresses("::1", "::2")
            .ipv6Extension(IpProtocol.FRAGMENT, new byte[] {0, 0, 1, 0, 0, 0, 1}).udp(1, 2).frame());
        expectDrop(DropReason.TCP_TRUNCATED, truncatedIp(tcp4, 19));
        expectDrop(DropReason.TCP_BAD_DATA_OFFSET, with(tcp4, 14 + 20 + 12, 0x40));
        expectDrop(DropReason.TCP_BAD_DATA_OFFSET, with(tcp4, 14 + 20 + 12, 0x60));
        expectDrop(DropReason.UDP_TRUNCATED, truncatedIp(udp4, 7));
        expectDrop(DropReason.UDP_BAD_LENGTH, with(udp4, 14 + 20 + 4, 0, 7));
        expectDrop(DropReason.UDP_BAD_LENGTH, with(udp4, 14 + 20 + 4, 0, 13));
        expectDrop(DropReason.ICMP_TRUNCATED, truncatedIp(
            new FrameBuilder().icmp(IcmpHeader.V4_ECHO_REQUEST, 0, 0, new byte[0]).frame(), 7));

        final byte[] quotedUdp = new FrameBuilder().udp(7, 8).ipPacket();
        expectDrop(DropReason.ICMP_EMBEDDED_TRUNCATED, icmpError(Arrays.copyOf(quotedUdp, 27)));
        expectDrop(DropReason.ICMP_EMBEDDED_TRUNCATED, icmpError(Arrays.copyOf(quotedUdp, 19)));
        expectDrop(DropReason.ICMP_EMBEDDED_MALFORMED, icmpError(with(quotedUdp, 0, 0x65)));
        expectDrop(DropReason.ICMP_EMBEDDED_UNSUPPORTED,
            icmpError(new FrameBuilder().otherProtocol(47).payload(8).ipPacket()));
        expectDrop(DropReason.ICMP_EMBEDDED_UNSUPPORTED,
            icmpError(new FrameBuilder().ipv4FragmentWord(0x0010).udp(7, 8).ipPacket()));

        long parseDrops = 0;
        for (final DropReason reason : DropReason.values())
        {
            parseDrops += parser.drops().get(reason);
        }
        assertEquals(parser.verdicts().get(PacketVerdict.DROP), parseDrops);
    }

    @Test
    void aLengthOutsideTheSegmentIsTruncatedNotAnException()
    {
        final byte[] frame = new FrameBuilder().udp(1, 2).frame();
        final MemorySegment segment = MemorySegment.ofArray(frame);
        assertEquals(PacketVerdict.DROP, parser.parse(segment, 0, frame.length + 1, packet));
        assertEquals(DropReason.ETHERNET_TRUNCATED, packet.dropReason());
        assertEquals(PacketVerdict.DROP, parser.parse(segment, -5, 20, packet));
        assertEquals(PacketVerdict.DROP, parser.parse(segment, 3, -1, packet));
        // offset + length would overflow to a negative sum, "inside" the segment
        assertEquals(PacketVerdict.DROP, parser.parse(segment, Long.MAX_VALUE - 5, frame.length, packet));
        assertEquals(DropReason.ETHERNET_TRUNCATED, packet.dropReason());
        assertEquals(PacketVerdict.UDP, parser.parse(segment, 0, frame.length, packet));
    }

    private void expectDrop(final DropReason reason, final byte[] frame)
    {
        final long before = parser.drops().get(reason);
        assertEquals(PacketVerdict.DROP, parse(frame), () -> reason + ": " + FrameBuilder.hex(frame));
        assertEquals(reason, packet.dropReason(), () -> FrameBuilder.hex(frame));
        assertEquals(before + 1, parser.drops().get(reason));
    }

    private static byte[] icmpError(final byte[] quoted)
    {
        return new FrameBuilder().icmp(IcmpHeader.V4_TIME_EXCEEDED, 0, 0, quoted).frame();
    }

    /** The IPv4 frame with its IP payload cut to {@code transportBytes} (total length adjusted). */
    private static byte[] truncatedIp(final byte[] frame, final int transportBytes)
    {
        final int headerLength = (frame[14] & 0x0F) * 4;
        final int total = headerLength + transportBytes;
        final byte[] cut = Arrays.copyOf(frame, 14 + total);
        cut[16] = (byte)(total >>> 8);
        cut[17] = (byte)total;
        return cut;
    }

    private static byte[] with(final byte[] frame, final int offset, final int... values)
    {
        final byte[] copy = frame.clone();
        for (int i = 0; i < values.length; i++)
        {
            copy[offset + i] = (byte)values[i];
        }
        return copy;
    }
}
