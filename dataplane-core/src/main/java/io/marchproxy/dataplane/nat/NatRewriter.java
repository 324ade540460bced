package io.marchproxy.dataplane.nat;

import io.marchproxy.dataplane.memory.UncheckedMemory;
import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.net.IpFamily;
import io.marchproxy.dataplane.packet.Checksums;
import io.marchproxy.dataplane.packet.EthernetFrame;
import io.marchproxy.dataplane.packet.IcmpHeader;
import io.marchproxy.dataplane.packet.IpProtocol;
import io.marchproxy.dataplane.packet.Ipv4Header;
import io.marchproxy.dataplane.packet.Ipv6Header;
import io.marchproxy.dataplane.packet.PacketVerdict;
import io.marchproxy.dataplane.packet.ParsedPacket;
import io.marchproxy.dataplane.packet.TcpHeader;
import io.marchproxy.dataplane.packet.UdpHeader;

import java.lang.foreign.MemorySegment;

import static io.marchproxy.dataplane.packet.NetworkByteOrder.putU16;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.putU32;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.putU64;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.putU8;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u16;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u32;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u64;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u8;

/**
 * Rewrites a parsed frame in place for full NAT. Every checksum is fixed incrementally (RFC 1624 eqn. 3): the IPv4
 * header checksum for address and TTL changes, the TCP/UDP checksum for address (pseudo-header) and port changes, and
 * for ICMP errors the quoted IPv4 header's checksum, the quoted transport checksum when it was quoted, and the outer
 * ICMP checksum (whose ICMPv6 form covers the outer pseudo-header too). A UDP-over-IPv4 checksum of 0 ("none") stays
 * 0; an updated UDP checksum of 0 is written as 0xFFFF.
 *
 * <p>Every method takes the {@link ParsedPacket} of the frame as {@link io.marchproxy.dataplane.packet.PacketParser}
 * left it and trusts its offsets (the parser checked them against the frame), so the methods must only be called for
 * the verdicts they name. Static, allocation-free and exception-free for such packets; the offsets in the parsed
 * packet stay valid because no header changes length.
 */
public final class NatRewriter
{
    /**
     * What a TTL decrement adds to the IPv4 header checksum: its 16-bit word (TTL, protocol) goes from m to m - 0x100,
     * and ~m + (m - 0x100) is 0xFEFF for every TTL above 1.
     */
    private static final int TTL_DECREMENT_DELTA = 0xFEFF;

    private NatRewriter()
    {
    }

    /**
     * Sets the source and destination MAC (low 48 bits of each {@code long}); any parsed frame.
     *
     * @param packet a parsed frame
     * @param sourceMac the new source MAC
     * @param destinationMac the new destination MAC
     */
    public static void rewriteMacs(final ParsedPacket packet, final long sourceMac, final long destinationMac)
    {
        writeMacs(packet.segment(), packet.frameOffset(), sourceMac, destinationMac);
    }

    /** The MACs of the frame at {@code frame}: two stores for the 12 bytes. */
    private static void writeMacs(
        final MemorySegment segment, final long frame, final long sourceMac, final long destinationMac)
    {
        // The destination MAC and the first two bytes of the source, then the last four.
        final long at = frame + EthernetFrame.DESTINATION_OFFSET;
        putU64(segment, at, (destinationMac << 16) | ((sourceMac >>> 32) & 0xFFFF));
        putU32(segment, at + 8, (int)sourceMac);
    }

    /**
     * Decrements the IPv4 TTL (fixing the header checksum) or the IPv6 hop limit of an IP packet. Returns false, and
     * changes nothing, when the packet must not be forwarded because the TTL is 1 or 0 (count
     * {@code DropReason.TTL_EXPIRED}).
     *
     * @param packet a parsed IP packet
     * @return false when the TTL or hop limit would reach 0
     */
    public static boolean decrementTtl(final ParsedPacket packet)
    {
        final MemorySegment segment = packet.segment();
        final long l3 = packet.l3Offset();
        if (packet.family() == IpFamily.IPV4)
        {
            final int ttl = u8(segment, l3 + Ipv4Header.TTL_OFFSET);
            if (ttl <= 1)
            {
                return false;
            }
            final int oldWord = u16(segment, l3 + Ipv4Header.TTL_OFFSET);
            putU8(segment, l3 + Ipv4Header.TTL_OFFSET, ttl - 1);
            final long checksumAt = l3 + Ipv4Header.CHECKSUM_OFFSET;
            putU16(segment, checksumAt, Checksums.update16(u16(segment, checksumAt), oldWord, oldWord - 0x100));
            return true;
        }
        final int hopLimit = u8(segment, l3 + Ipv6Header.HOP_LIMIT_OFFSET);
        if (hopLimit <= 1)
        {
            return false;
        }
        putU8(segment, l3 + Ipv6Header.HOP_LIMIT_OFFSET, hopLimit - 1);
        return true;
    }

    /**
     * Rewrites the addresses and ports of a TCP or UDP packet to those of {@code to} (of the packet's family; its
     * protocol is not looked at): source address and port, destination address and port, as the flow table's
     * translation for the packet's direction gives them.
     *
     * @param packet a parsed TCP or UDP packet
     * @param to the addresses and ports to write
     */
    public static void rewriteFlow(final ParsedPacket packet, final FlowTuple to)
    {
        final MemorySegment segment = packet.segment();
        final long addressDelta = rewriteAddresses(segment, packet.family(), packet.l3Offset(), to);
        final long l4 = packet.l4Offset();
        final long portDelta = rewritePorts(segment, l4, to.sourcePort(), to.destinationPort());
        fixTransportChecksum(segment, packet.family(), packet.protocol(), l4, addressDelta + portDelta);
    }

    /**
     * Everything a forwarded TCP or UDP packet of a tracked flow needs, fused so that each checksum is updated once:
     * MACs, TTL or hop limit, addresses and ports of {@code to}. Returns false, and changes nothing, when the TTL or
     * hop limit is 1 or 0 (count {@code DropReason.TTL_EXPIRED}). Equivalent to {@link #decrementTtl},
     * {@link #rewriteFlow} and {@link #rewriteMacs} in a row. The old addresses and ports come from the packet's
     * parsed tuple (the parser read them from the frame) rather than from the frame again, so the frame must be as the
     * parser left it: call it once per parse. A native frame is written through {@link UncheckedMemory}: a
     * parsed verdict of TCP or UDP means the parser checked that the Ethernet, IP and TCP (20 bytes) or UDP (8 bytes)
     * headers, the only bytes written, lie inside the frame, and the frame inside its segment, which is alive now.
     *
     * @param packet a parsed TCP or UDP packet of a tracked flow
     * @param sourceMac the egress interface's MAC
     * @param destinationMac the next hop's MAC
     * @param to the addresses and ports to write
     * @return false, with nothing changed, when the TTL or hop limit would reach 0
     */
    public static boolean forward(
        final ParsedPacket packet, final FlowTuple to, final long sourceMac, final long destinationMac)
    {
        final MemorySegment frame = packet.segment();
        return unchecked(packet)
            ? forward(UncheckedMemory.everything(), frame.address(), packet, to, true, sourceMac, destinationMac)
            : forward(frame, 0, packet, to, true, sourceMac, destinationMac);
    }

    /**
     * {@link #forward} without the MACs, for a caller that learns the next hop later ({@link #rewriteMacs} then):
     * TTL or hop limit, addresses and ports of {@code to}, checksums.
     *
     * @param packet a parsed TCP or UDP packet of a tracked flow
     * @param to the addresses and ports to write
     * @return false, with nothing changed, when the TTL or hop limit would reach 0
     */
    public static boolean translate(final ParsedPacket packet, final FlowTuple to)
    {
        final MemorySegment frame = packet.segment();
        return unchecked(packet)
            ? forward(UncheckedMemory.everything(), frame.address(), packet, to, false, 0, 0)
            : forward(frame, 0, packet, to, false, 0, 0);
    }

    /**
     * {@link #translate} of an IPv4 packet, with the new addresses and ports given as values and the checksum deltas
     * of the change already known: for a flow table that keeps them per flow, so that a packet costs no delta
     * arithmetic. A delta is what the change adds to a checksum (RFC 1624 eqn. 3: the one's-complement sum of
     * {@code ~old + new} over the changed 16-bit words, folded to 16 bits as {@link Checksums#fold} does):
     * {@code addressDelta} for the addresses, which
     * the IP header and the TCP or UDP pseudo-header both hold, {@code portDelta} for the ports. They must have been
     * computed from the packet's own addresses and ports (the flow's key).
     *
     * @param packet a parsed IPv4 TCP or UDP packet of a tracked flow
     * @param source the new source address
     * @param destination the new destination address
     * @param ports the new source port (high 16 bits) and destination port (low 16)
     * @param addressDelta the addresses' checksum delta, 16 bits
     * @param portDelta the ports' checksum delta, 16 bits
     * @return false, with nothing changed, when the TTL would reach 0
     * @throws IllegalArgumentException for a packet that is not IPv4
     */
    public static boolean translateIpv4(
        final ParsedPacket packet,
        final int source,
        final int destination,
        final int ports,
        final int addressDelta,
        final int portDelta)
    {
        if (packet.family() != IpFamily.IPV4)
        {
            throw notIpv4(packet);
        }
        final MemorySegment frame = packet.segment();
        return unchecked(packet)
            ? translateIpv4(UncheckedMemory.everything(), frame.address(), packet, source, destination, ports,
                addressDelta + portDelta, addressDelta)
            : translateIpv4(frame, 0, packet, source, destination, ports, addressDelta + portDelta, addressDelta);
    }

    /**
     * {@link #translateIpv4} on a frame read at {@code origin} plus the parsed offsets in {@code segment}, with the L4
     * checksum's delta (addresses and ports) and the IP header's (addresses), folded or not; also {@link #forward}'s
     * IPv4 part.
     */
    private static boolean translateIpv4(
        final MemorySegment segment,
        final long origin,
        final ParsedPacket packet,
        final int source,
        final int destination,
        final int ports,
        final long l4Delta,
        final long addressDelta)
    {
        // TTL, protocol, header checksum and source as one big-endian word, the destination as another.
        final long ttlAt = origin + packet.l3Offset() + Ipv4Header.TTL_OFFSET;
        final long word = u64(segment, ttlAt);
        final int ttlWord = (int)(word >>> 48);
        if (ttlWord < 0x200)
        {
            return false;
        }
        final int checksum = Checksums.applyDelta((int)(word >>> 32) & 0xFFFF, addressDelta + TTL_DECREMENT_DELTA);
        putU64(segment, ttlAt, (long)(ttlWord - 0x100) << 48 | (long)checksum << 32 | (source & 0xFFFF_FFFFL));
        putU32(segment, ttlAt + (Ipv4Header.DESTINATION_OFFSET - Ipv4Header.TTL_OFFSET), destination);
        translatePorts(segment, origin + packet.l4Offset(), packet.protocol(), ports, l4Delta, true);
        return true;
    }

    /** The exception for a packet {@link #translateIpv4} refuses, out of the hot method. */
    private static IllegalArgumentException notIpv4(final ParsedPacket packet)
    {
        return new IllegalArgumentException("not an IPv4 packet: family " + packet.family());
    }

    /**
     * Whether the packet's frame may be written through {@link UncheckedMemory}: a TCP or UDP verdict (the parser
     * checked that the headers lie inside the frame) of a native frame whose segment is alive now.
     */
    private static boolean unchecked(final ParsedPacket packet)
    {
        final PacketVerdict verdict = packet.verdict();
        return (verdict == PacketVerdict.UDP || verdict == PacketVerdict.TCP)
            && UncheckedMemory.covers(packet.segment());
    }

    /**
     * {@link #forward} (with the MACs when {@code macs}) on a frame read at {@code origin} plus the parsed offsets in
     * {@code segment}. The old addresses and ports come from the packet's parsed tuple.
     */
    private static boolean forward(
        final MemorySegment segment,
        final long origin,
        final ParsedPacket packet,
        final FlowTuple to,
        final boolean macs,
        final long sourceMac,
        final long destinationMac)
    {
        // The rewrite itself in methods of their own (IPv4's shared with translateIpv4): forward stays small enough for
        // the JIT to inline into its caller.
        final FlowTuple from = packet.tuple();
        final int ports = to.sourcePort() << 16 | to.destinationPort();
        final long portDelta = Checksums.delta32(from.sourcePort() << 16 | from.destinationPort(), ports);
        final boolean translated;
        if (packet.family() == IpFamily.IPV4)
        {
            final int source = (int)to.sourceLo();
            final int destination = (int)to.destinationLo();
            final long addressDelta = Checksums.delta32((int)from.sourceLo(), source)
                + Checksums.delta32((int)from.destinationLo(), destination);
            translated = translateIpv4(segment, origin, packet, source, destination, ports, addressDelta + portDelta,
                addressDelta);
        }
        else
        {
            translated = forwardIpv6(segment, origin, packet, to, ports, portDelta);
        }
        if (translated && macs)
        {
            writeMacs(segment, origin + packet.frameOffset(), sourceMac, destinationMac);
        }
        return translated;
    }

    /**
     * The IPv6 part of {@link #forward}: the hop limit, both addresses, the ports and the TCP or UDP checksum; false,
     * with nothing changed, when the hop limit is 1 or 0.
     */
    private static boolean forwardIpv6(
        final MemorySegment segment,
        final long origin,
        final ParsedPacket packet,
        final FlowTuple to,
        final int ports,
        final long portDelta)
    {
        final long l3 = origin + packet.l3Offset();
        final long hopLimitAt = l3 + Ipv6Header.HOP_LIMIT_OFFSET;
        final int hopLimit = u8(segment, hopLimitAt);
        if (hopLimit <= 1)
        {
            return false;
        }
        putU8(segment, hopLimitAt, hopLimit - 1);
        final long addressDelta = rewriteAddresses(segment, IpFamily.IPV6, l3, to);
        translatePorts(segment, origin + packet.l4Offset(), packet.protocol(), ports, addressDelta + portDelta, false);
        return true;
    }

    /**
     * The ports and the TCP or UDP checksum of a translated packet ({@code protocol} TCP or UDP), updated by
     * {@code delta} (addresses and ports); a UDP checksum of 0 ("none", allowed over IPv4 only) stays 0 when
     * {@code keepNoUdpChecksum}.
     */
    private static void translatePorts(
        final MemorySegment segment,
        final long l4,
        final int protocol,
        final int ports,
        final long delta,
        final boolean keepNoUdpChecksum)
    {
        if (protocol == IpProtocol.TCP)
        {
            final long checksumAt = l4 + TcpHeader.CHECKSUM_OFFSET;
            putU32(segment, l4, ports);
            putU16(segment, checksumAt, Checksums.applyDelta(u16(segment, checksumAt), delta));
        }
        else
        {
            // The whole UDP header is one word: ports, length and checksum read and written at once.
            final long header = u64(segment, l4);
            final int oldChecksum = (int)header & 0xFFFF;
            final int checksum = oldChecksum == 0 && keepNoUdpChecksum
                ? 0
                : Checksums.udpWire(Checksums.applyDelta(oldChecksum, delta));
            putU64(segment, l4, (long)ports << 32 | (header & 0xFFFF_0000L) | checksum);
        }
    }

    /**
     * Translates an ICMP or ICMPv6 error ({@code PacketVerdict.ICMP_ERROR}) for the other side of the flow it quotes:
     * the outer source and destination addresses become {@code outer}'s (its ports are ignored), and the quoted
     * packet's addresses and ports become {@code quoted}'s. For an error about a packet the node sent to a backend,
     * {@code quoted} is the client's original tuple (client -> VIP) and {@code outer} goes to the client; the caller
     * picks the outer source (the VIP when the backend itself reported the error, so the client hears from the
     * address it talks to). TTL and MACs are separate calls.
     *
     * @param packet a parsed ICMP error
     * @param outer the outer addresses to write (source and destination)
     * @param quoted the quoted packet's addresses and ports to write
     */
    public static void rewriteIcmpError(final ParsedPacket packet, final FlowTuple outer, final FlowTuple quoted)
    {
        final MemorySegment segment = packet.segment();
        final int family = packet.family();
        final long quotedL3 = packet.embeddedL3Offset();
        final long quotedL4 = packet.embeddedL4Offset();
        final int quotedProtocol = packet.embeddedTuple().protocol();

        // The ICMP checksum covers the quoted header: its delta collects every quoted word that changes.
        final long quotedChecksumAt = quotedL3 + Ipv4Header.CHECKSUM_OFFSET;
        final int quotedHeaderChecksum = family == IpFamily.IPV4 ? u16(segment, quotedChecksumAt) : 0;
        final long quotedAddressDelta = rewriteAddresses(segment, family, quotedL3, quoted);
        final long quotedPortDelta = rewritePorts(segment, quotedL4, quoted.sourcePort(), quoted.destinationPort());
        long icmpDelta = quotedAddressDelta + quotedPortDelta;
        if (family == IpFamily.IPV4)
        {
            icmpDelta += Checksums.delta16(quotedHeaderChecksum, u16(segment, quotedChecksumAt));
        }
        final int quotedChecksumOffset = quotedProtocol == IpProtocol.TCP
            ? TcpHeader.CHECKSUM_OFFSET
            : UdpHeader.CHECKSUM_OFFSET;
        if (quotedChecksumOffset + 2 <= packet.embeddedL4Length())
        {
            final long at = quotedL4 + quotedChecksumOffset;
            final boolean noChecksum = quotedProtocol == IpProtocol.UDP && family == IpFamily.IPV4
                && u16(segment, at) == 0;
            if (!noChecksum)
            {
                icmpDelta += updateChecksumField(segment, at, quotedAddressDelta + quotedPortDelta,
                    quotedProtocol == IpProtocol.UDP);
            }
        }

        final long outerAddressDelta = rewriteAddresses(segment, family, packet.l3Offset(), outer);
        if (family == IpFamily.IPV6)
        {
            icmpDelta += outerAddressDelta;
        }
        final long icmpChecksumAt = packet.l4Offset() + IcmpHeader.CHECKSUM_OFFSET;
        putU16(segment, icmpChecksumAt, Checksums.applyDelta(u16(segment, icmpChecksumAt), icmpDelta));
    }

    /**
     * Writes {@code to}'s addresses into the IP header at {@code l3} (fixing the IPv4 header checksum) and returns the
     * unfolded checksum delta of the change for the pseudo-header.
     */
    private static long rewriteAddresses(
        final MemorySegment segment, final int family, final long l3, final FlowTuple to)
    {
        if (family == IpFamily.IPV4)
        {
            // Source and destination are adjacent: one 64-bit read and write for both.
            final long addressesAt = l3 + Ipv4Header.SOURCE_OFFSET;
            final long old = u64(segment, addressesAt);
            final long addresses = (to.sourceLo() << 32) | (to.destinationLo() & 0xFFFF_FFFFL);
            final long delta = Checksums.delta32((int)(old >>> 32), (int)(addresses >>> 32))
                + Checksums.delta32((int)old, (int)addresses);
            putU64(segment, addressesAt, addresses);
            updateChecksumField(segment, l3 + Ipv4Header.CHECKSUM_OFFSET, delta, false);
            return delta;
        }
        final long sourceAt = l3 + Ipv6Header.SOURCE_OFFSET;
        final long destinationAt = l3 + Ipv6Header.DESTINATION_OFFSET;
        final long delta = Checksums.delta128(u64(segment, sourceAt), u64(segment, sourceAt + 8),
            to.sourceHi(), to.sourceLo())
            + Checksums.delta128(u64(segment, destinationAt), u64(segment, destinationAt + 8),
            to.destinationHi(), to.destinationLo());
        putU64(segment, sourceAt, to.sourceHi());
        putU64(segment, sourceAt + 8, to.sourceLo());
        putU64(segment, destinationAt, to.destinationHi());
        putU64(segment, destinationAt + 8, to.destinationLo());
        return delta;
    }

    /** Writes both ports of the TCP or UDP header at {@code l4}; returns the checksum delta. */
    private static long rewritePorts(
        final MemorySegment segment, final long l4, final int sourcePort, final int destinationPort)
    {
        final int oldPorts = u32(segment, l4);
        final int newPorts = (sourcePort << 16) | (destinationPort & 0xFFFF);
        putU32(segment, l4, newPorts);
        return Checksums.delta32(oldPorts, newPorts);
    }

    /** Applies {@code delta} to the transport checksum of a TCP or UDP packet, keeping a UDP/IPv4 "none" as is. */
    private static void fixTransportChecksum(
        final MemorySegment segment,
        final int family,
        final int protocol,
        final long l4,
        final long delta)
    {
        if (protocol == IpProtocol.TCP)
        {
            updateChecksumField(segment, l4 + TcpHeader.CHECKSUM_OFFSET, delta, false);
            return;
        }
        final long at = l4 + UdpHeader.CHECKSUM_OFFSET;
        if (family == IpFamily.IPV6 || u16(segment, at) != 0)
        {
            updateChecksumField(segment, at, delta, true);
        }
    }

    /**
     * Applies {@code delta} to the 16-bit checksum at {@code at} and returns the delta of the checksum field itself
     * (for an enclosing checksum, such as ICMP's over a quoted header). A UDP checksum that comes out 0 is written as
     * 0xFFFF.
     */
    private static long updateChecksumField(
        final MemorySegment segment, final long at, final long delta, final boolean udp)
    {
        final int old = u16(segment, at);
        final int computed = Checksums.applyDelta(old, delta);
        final int updated = udp ? Checksums.udpWire(computed) : computed;
        putU16(segment, at, updated);
        return Checksums.delta16(old, updated);
    }
}
