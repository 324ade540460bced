/**
 * Packets in place: header flyweights over a frame's {@code MemorySegment} ({@link
 * io.marchproxy.dataplane.packet.EthernetFrame} with VLAN tags, {@link io.marchproxy.dataplane.packet.ArpPacket},
 * {@link io.marchproxy.dataplane.packet.Ipv4Header}, {@link io.marchproxy.dataplane.packet.Ipv6Header} with its
 * extension headers, {@link io.marchproxy.dataplane.packet.TcpHeader},
 * {@link io.marchproxy.dataplane.packet.UdpHeader},
 * {@link io.marchproxy.dataplane.packet.IcmpHeader} for ICMPv4 and ICMPv6), the bounds-checked
 * {@link io.marchproxy.dataplane.packet.PacketParser} that fills a reusable
 * {@link io.marchproxy.dataplane.packet.ParsedPacket} and counts every drop by
 * {@link io.marchproxy.dataplane.packet.DropReason}, and the internet {@link io.marchproxy.dataplane.packet.Checksums}
 * (full, pseudo-header, RFC 1624 incremental). Byte order lives in one place,
 * {@link io.marchproxy.dataplane.packet.NetworkByteOrder}: every multi-byte field is read and written big-endian.
 *
 * <p>Nothing here allocates or throws per packet; parsers and flyweights are one instance per dataplane thread.
 * Depends on {@code io.marchproxy.dataplane.net} and {@code io.marchproxy.dataplane.counter}; used by the NAT,
 * conntrack and the AF_XDP forwarding code.
 */
package io.marchproxy.dataplane.packet;
