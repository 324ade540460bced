package io.marchproxy.dataplane.packet;

import io.marchproxy.dataplane.net.IpAddress;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every flyweight accessor and setter against frames built byte by byte, at a non-zero offset in a larger segment. */
class HeaderFlyweightsTest
{
    private static final int AT = 7;

    private static MemorySegment at(final byte[] frame)
    {
        final byte[] memory = new byte[AT + frame.length + 5];
        System.arraycopy(frame, 0, memory, AT, frame.length);
        return MemorySegment.ofArray(memory);
    }

    @Test
    void ethernetWithTags()
    {
        final byte[] frame = new FrameBuilder().macs(0x0A0B_0C0D_0E0FL, 0x1112_1314_1516L)
            .vlan(0x88A8, 0x123).vlan(0x8100, 0xFFF).udp(1, 2).frame();
        final MemorySegment segment = at(frame);
        final EthernetFrame ethernet = new EthernetFrame();
        assertSame(ethernet, ethernet.wrap(segment, AT, frame.length));
        assertTrue(ethernet.isComplete());
        assertEquals(AT, ethernet.offset());
        assertEquals(frame.length, ethernet.length());
        assertSame(segment, ethernet.segment());
        assertEquals(0x1112_1314_1516L, ethernet.destinationMac());
        assertEquals(0x0A0B_0C0D_0E0FL, ethernet.sourceMac());
        assertEquals(0x88A8, ethernet.etherType(0));
        assertEquals(0x8100, ethernet.etherType(1));
        assertEquals(0x0800, ethernet.etherType(2));
        assertEquals(0x123, ethernet.vlanId(0));
        assertEquals(0xFFF, ethernet.vlanId(1));
        assertTrue(EthernetFrame.isVlanTag(0x9100));
        assertFalse(EthernetFrame.isVlanTag(0x0800));
        ethernet.destinationMac(0xFFFF_FFFF_FFFFL);
        ethernet.sourceMac(0x0200_0000_0001L);
        assertEquals(0xFFFF_FFFF_FFFFL, ethernet.destinationMac());
        assertEquals(0x0200_0000_0001L, ethernet.sourceMac());
        assertFalse(new EthernetFrame().wrap(segment, AT, 13).isComplete());
    }

    @Test
    void arp()
    {
        final byte[] frame = FrameBuilder.bytes(
            "ffffffffffff 020000000001 0806 0001 0800 06 04 0002 020000000001 0a000001 020000000002 0a000002");
        final ArpPacket arp = new ArpPacket().wrap(at(frame), AT + 14, frame.length - 14);
        assertTrue(arp.isComplete());
        assertEquals(ArpPacket.OPERATION_REPLY, arp.operation());
        assertEquals(0x0200_0000_0001L, arp.senderMac());
        assertEquals(0x0A00_0001, arp.senderIp());
        assertEquals(0x0200_0000_0002L, arp.targetMac());
        assertEquals(0x0A00_0002, arp.targetIp());
        assertEquals(1, arp.hardwareType());
        assertEquals(0x0800, arp.protocolType());
        assertFalse(new ArpPacket().wrap(at(frame), AT + 14, 27).isComplete());
    }

    @Test
    void ipv4AndTcp()
    {
        final byte[] frame = new FrameBuilder().addresses("192.0.2.1", "198.51.100.2").ttl(33)
            .ipv4Options(new byte[] {1, 1, 1, 1}).tcp(40000, 443, TcpHeader.SYN | TcpHeader.ECE)
            .tcpOptions(new byte[] {2, 4, 5, (byte)0xB4}).payload(9).frame();
        final MemorySegment segment = at(frame);
        final Ipv4Header ip = new Ipv4Header().wrap(segment, AT + 14, frame.length - 14);
        assertTrue(ip.isComplete());
        assertEquals(4, ip.version());
        assertEquals(6, ip.ihl());
        assertEquals(24, ip.headerLength());
        assertEquals(24 + 24 + 9, ip.totalLength());
        assertEquals(33, ip.ttl());
        assertEquals(IpProtocol.TCP, ip.protocol());
        assertEquals(IpAddress.parse("192.0.2.1").ipv4(), ip.source());
        assertEquals(IpAddress.parse("198.51.100.2").ipv4(), ip.destination());
        assertEquals(Checksums.ipv4Header(segment, AT + 14, 24), ip.checksum());
        assertFalse(ip.isLaterFragment());
        assertFalse(ip.isFirstFragment());
        assertEquals(0, ip.flagsAndFragmentOffset());
        ip.ttl(9);
        ip.source(0x0A00_0001);
        ip.destination(0x0A00_0002);
        ip.checksum(Checksums.ipv4Header(segment, AT + 14, 24));
        assertTrue(Checksums.verifies(segment, AT + 14, 24, 0));
        assertEquals(9, ip.ttl());
        assertEquals(0x0A00_0001, ip.source());

        final TcpHeader tcp = new TcpHeader().wrap(segment, AT + 14 + 24, frame.length - 14 - 24);
        assertTrue(tcp.isComplete());
        assertEquals(40000, tcp.sourcePort());
        assertEquals(443, tcp.destinationPort());
        assertEquals(6, tcp.dataOffset());
        assertEquals(24, tcp.headerLength());
        assertEquals(TcpHeader.SYN | TcpHeader.ECE, tcp.flags());
        assertEquals(0x0102_0304, tcp.sequence());
        assertEquals(0, tcp.acknowledgement());
        assertEquals(65535, tcp.window());
        tcp.sourcePort(1);
        tcp.destinationPort(2);
        tcp.checksum(0xBEEF);
        assertEquals(1, tcp.sourcePort());
        assertEquals(2, tcp.destinationPort());
        assertEquals(0xBEEF, tcp.checksum());
        assertFalse(new TcpHeader().wrap(segment, AT + 14 + 24, 23).isComplete());

        final Ipv4Header fragment = new Ipv4Header();
        final byte[] first = new FrameBuilder().ipv4FragmentWord(Ipv4Header.FLAG_MORE_FRAGMENTS).udp(1, 2).frame();
        assertTrue(fragment.wrap(at(first), AT + 14, first.length - 14).isFirstFragment());
        final byte[] later = new FrameBuilder().ipv4FragmentWord(0x0003).udp(1, 2).frame();
        assertTrue(fragment.wrap(at(later), AT + 14, later.length - 14).isLaterFragment());
    }

    @Test
    void ipv6ExtensionsUdpAndIcmp()
    {
        final byte[] frame = new FrameBuilder().addresses("2001:db8::1", "2001:db8::2").ttl(5)
            .ipv6Extension(IpProtocol.FRAGMENT, new byte[] {0, 0, 9, 0, 0, 0, 1})
            .udp(53, 5353).payload(3).frame();
        final MemorySegment segment = at(frame);
        final Ipv6Header ip = new Ipv6Header().wrap(segment, AT + 14, frame.length - 14);
        assertTrue(ip.isComplete());
        assertEquals(6, ip.version());
        assertEquals(8 + 8 + 3, ip.payloadLength());
        assertEquals(IpProtocol.FRAGMENT, ip.nextHeader());
        assertEquals(5, ip.hopLimit());
        assertEquals(0x2001_0db8_0000_0000L, ip.sourceHi());
        assertEquals(1, ip.sourceLo());
        assertEquals(0x2001_0db8_0000_0000L, ip.destinationHi());
        assertEquals(2, ip.destinationLo());
        ip.hopLimit(4);
        assertEquals(4, ip.hopLimit());
        assertTrue(Ipv6Header.isWalkedExtension(IpProtocol.HOP_BY_HOP));
        assertFalse(Ipv6Header.isWalkedExtension(51));
        assertEquals(8, Ipv6Header.extensionLength(segment, AT + 54, IpProtocol.FRAGMENT));
        assertEquals(0x0009, Ipv6Header.fragmentWord(segment, AT + 54), "offset 1, more fragments");

        final UdpHeader udp = new UdpHeader().wrap(segment, AT + 62, frame.length - 62);
        assertTrue(udp.isComplete());
        assertEquals(53, udp.sourcePort());
        assertEquals(5353, udp.destinationPort());
        assertEquals(11, udp.datagramLength());
        assertTrue(udp.checksum() != 0);
        assertFalse(new UdpHeader().wrap(segment, AT + 62, 10).isComplete(), "length field 11 > 10 bytes");

        final byte[] error = new FrameBuilder().icmp(IcmpHeader.V4_TIME_EXCEEDED, 1, 0x1234_5678,
            Arrays.copyOf(new FrameBuilder().udp(1, 2).ipPacket(), 28)).frame();
        final IcmpHeader icmp = new IcmpHeader().wrap(at(error), AT + 34, error.length - 34);
        assertTrue(icmp.isComplete());
        assertEquals(IcmpHeader.V4_TIME_EXCEEDED, icmp.type());
        assertEquals(1, icmp.code());
        assertEquals(0x1234_5678, icmp.rest());
        assertTrue(Checksums.verifies(at(error), AT + 34, error.length - 34, 0));
        icmp.checksum(7);
        assertEquals(7, icmp.checksum());
        assertTrue(IcmpHeader.isIpv4Error(IcmpHeader.V4_PARAMETER_PROBLEM));
        assertFalse(IcmpHeader.isIpv4Error(IcmpHeader.V4_ECHO_REPLY));
        assertTrue(IcmpHeader.isIpv6Error(IcmpHeader.V6_PACKET_TOO_BIG));
        assertFalse(IcmpHeader.isIpv6Error(IcmpHeader.V6_ECHO_REQUEST));
    }
}
