package io.marchproxy.benchmarks.l4;

import io.marchproxy.dataplane.net.IpFamily;
import io.marchproxy.dataplane.packet.Checksums;
import io.marchproxy.dataplane.packet.EthernetFrame;
import io.marchproxy.dataplane.packet.IpProtocol;
import io.marchproxy.dataplane.packet.Ipv4Header;
import io.marchproxy.dataplane.packet.TcpHeader;
import io.marchproxy.dataplane.packet.UdpHeader;

import java.lang.foreign.MemorySegment;

import static io.marchproxy.dataplane.packet.NetworkByteOrder.putU16;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.putU32;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.putU48;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.putU8;

/** Writes the IPv4 TCP and UDP frames the benchmarks parse, with valid checksums. */
final class BenchmarkFrames
{
    private static final int L3 = EthernetFrame.HEADER_LENGTH;
    private static final int L4 = L3 + Ipv4Header.MIN_LENGTH;

    private BenchmarkFrames()
    {
    }

    /**
     * Writes an Ethernet/IPv4 frame of {@code protocol} (TCP with a 20-byte header, or UDP) with {@code payload}
     * bytes of payload from {@code source}:{@code sourcePort} to {@code destination}:{@code destinationPort} at the
     * start of {@code frame}; returns the frame length.
     */
    static int write(
        final MemorySegment frame,
        final int protocol,
        final int source,
        final int sourcePort,
        final int destination,
        final int destinationPort,
        final int payload)
    {
        final int l4Header = protocol == IpProtocol.TCP ? TcpHeader.MIN_LENGTH : UdpHeader.LENGTH;
        final int l4Length = l4Header + payload;
        final int length = L4 + l4Length;
        frame.asSlice(0, length).fill((byte)0);
        putU48(frame, EthernetFrame.DESTINATION_OFFSET, 0x0200_0000_0002L);
        putU48(frame, EthernetFrame.SOURCE_OFFSET, 0x0200_0000_0001L);
        putU16(frame, EthernetFrame.ETHER_TYPE_OFFSET, EthernetFrame.ETHER_TYPE_IPV4);
        putU8(frame, L3, 0x45);
        putU16(frame, L3 + Ipv4Header.TOTAL_LENGTH_OFFSET, Ipv4Header.MIN_LENGTH + l4Length);
        putU16(frame, L3 + Ipv4Header.FLAGS_FRAGMENT_OFFSET, Ipv4Header.FLAG_DONT_FRAGMENT);
        putU8(frame, L3 + Ipv4Header.TTL_OFFSET, 64);
        putU8(frame, L3 + Ipv4Header.PROTOCOL_OFFSET, protocol);
        putU32(frame, L3 + Ipv4Header.SOURCE_OFFSET, source);
        putU32(frame, L3 + Ipv4Header.DESTINATION_OFFSET, destination);
        putU16(frame, L3 + Ipv4Header.CHECKSUM_OFFSET, Checksums.ipv4Header(frame, L3, Ipv4Header.MIN_LENGTH));
        putU16(frame, L4, sourcePort);
        putU16(frame, L4 + 2, destinationPort);
        if (protocol == IpProtocol.TCP)
        {
            putU8(frame, L4 + TcpHeader.DATA_OFFSET_OFFSET, 5 << 4);
            putU8(frame, L4 + TcpHeader.FLAGS_OFFSET, TcpHeader.ACK | TcpHeader.PSH);
            putU16(frame, L4 + TcpHeader.WINDOW_OFFSET, 65535);
        }
        else
        {
            putU16(frame, L4 + UdpHeader.LENGTH_OFFSET, l4Length);
        }
        for (int i = 0; i < payload; i++)
        {
            putU8(frame, L4 + l4Header + i, i * 31 + 7);
        }
        final int checksum = Checksums.transport(frame, IpFamily.IPV4, L3, L4, l4Length, protocol);
        putU16(frame, L4 + Checksums.transportChecksumOffset(protocol),
            protocol == IpProtocol.UDP ? Checksums.udpWire(checksum) : checksum);
        return length;
    }
}
