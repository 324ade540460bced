package io.marchproxy.dataplane.qos;

import io.marchproxy.dataplane.net.IpFamily;
import io.marchproxy.dataplane.packet.Checksums;
import io.marchproxy.dataplane.packet.Ipv4Header;
import io.marchproxy.dataplane.packet.ParsedPacket;

import java.lang.foreign.MemorySegment;

import static io.marchproxy.dataplane.packet.NetworkByteOrder.putU16;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u16;

/**
 * Writes a DSCP into a parsed IP packet in place: the upper six bits of the IPv4 TOS byte, with the header checksum
 * fixed incrementally (RFC 1624), or of the IPv6 traffic class (no header checksum; the transport checksums do not
 * cover either field). The two ECN bits are kept. Static, allocation-free; for packets the parser accepted.
 */
public final class DscpMarker
{
    /** The DSCP bits within the first 16-bit word of an IPv4 header (version, IHL, TOS). */
    private static final int IPV4_DSCP_MASK = 0x00FC;
    private static final int IPV4_DSCP_SHIFT = 2;
    /** The DSCP bits within the first 16-bit word of an IPv6 header (version, traffic class, flow label). */
    private static final int IPV6_DSCP_MASK = 0x0FC0;
    private static final int IPV6_DSCP_SHIFT = 6;

    private DscpMarker()
    {
    }

    /**
     * Sets the packet's DSCP to {@code dscp}.
     *
     * @param packet a packet the parser accepted
     * @param dscp   0..63
     */
    public static void mark(final ParsedPacket packet, final int dscp)
    {
        final MemorySegment segment = packet.segment();
        final long l3 = packet.l3Offset();
        final int old = u16(segment, l3);
        if (packet.family() == IpFamily.IPV4)
        {
            final int word = (old & ~IPV4_DSCP_MASK) | (dscp << IPV4_DSCP_SHIFT);
            if (word != old)
            {
                putU16(segment, l3, word);
                final long checksumAt = l3 + Ipv4Header.CHECKSUM_OFFSET;
                putU16(segment, checksumAt, Checksums.update16(u16(segment, checksumAt), old, word));
            }
        }
        else
        {
            putU16(segment, l3, (old & ~IPV6_DSCP_MASK) | (dscp << IPV6_DSCP_SHIFT));
        }
    }

    /**
     * {@return the packet's DSCP}
     *
     * @param packet a packet the parser accepted
     */
    public static int dscp(final ParsedPacket packet)
    {
        final int word = u16(packet.segment(), packet.l3Offset());
        return packet.family() == IpFamily.IPV4 ? (word & IPV4_DSCP_MASK) >>> IPV4_DSCP_SHIFT
            : (word & IPV6_DSCP_MASK) >>> IPV6_DSCP_SHIFT;
    }
}
