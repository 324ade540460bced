package io.marchproxy.dataplane.packet;

import io.marchproxy.dataplane.counter.SingleWriterCounters;
import io.marchproxy.dataplane.net.IpFamily;

import java.lang.foreign.MemorySegment;

import static io.marchproxy.dataplane.packet.NetworkByteOrder.u16;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u32;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u64;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u8;

/**
 * Parses an Ethernet frame into a {@link ParsedPacket}: VLAN tags (up to two), ARP, IPv4 with options, IPv6 with its
 * common extension headers, TCP, UDP, ICMP and ICMPv6, and for ICMP errors the quoted IP and transport header of the
 * flow they concern. Every field is read only after the parser checked it lies inside the frame's declared length
 * (and inside the IP packet's own length), so no byte content makes it throw; what it cannot use gets verdict
 * {@link PacketVerdict#DROP} and a {@link DropReason}, counted.
 *
 * <p>Counters: every call adds one to the verdict counter of its result ({@link #verdicts()}, indexed by
 * {@link PacketVerdict}) and every drop one to its reason ({@link #drops()}, indexed by {@link DropReason}), so the
 * verdict counters sum to the frames parsed and the {@code DROP} count equals the sum of the parse reasons.
 *
 * <p>Threads: one parser per dataplane thread; {@link #parse} belongs to that thread (the counters may be read from
 * any). Allocation-free and exception-free.
 */
public final class PacketParser
{
    /** IPv6 extension headers walked before giving up with {@link DropReason#IPV6_EXTENSION_CHAIN_TOO_LONG}. */
    public static final int MAX_IPV6_EXTENSION_HEADERS = 8;

    /** Most VLAN tags walked: QinQ's two. */
    public static final int MAX_VLAN_TAGS = 2;

    private static final int WALK_OK = 0;
    private static final int WALK_TRUNCATED = 1;
    private static final int WALK_TOO_LONG = 2;
    private static final int WALK_LATER_FRAGMENT = 3;

    private final EthernetFrame ethernet = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Header ipv4 = new Ipv4Header();
    private final Ipv6Header ipv6 = new Ipv6Header();
    private final IcmpHeader icmp = new IcmpHeader();
    private final SingleWriterCounters drops;
    private final SingleWriterCounters verdicts = SingleWriterCounters.forEnum(PacketVerdict.class);

    private long walkOffset;
    private int walkProtocol;
    private boolean walkFirstFragment;

    /** A parser with counters of its own. */
    public PacketParser()
    {
        this(SingleWriterCounters.forEnum(DropReason.class));
    }

    /**
     * A parser that counts drops in {@code drops}, indexed by {@link DropReason} (so the pipeline around the parser can
     * count its own reasons in the same set, from the same thread).
     *
     * @param drops the counters of drops, of {@link DropReason} (see {@code SingleWriterCounters.forEnum})
     */
    public PacketParser(final SingleWriterCounters drops)
    {
        if (drops.length() != DropReason.values().length)
        {
            throw new IllegalArgumentException("drops must have one counter per DropReason");
        }
        this.drops = drops;
    }

    /** {@return drops by {@link DropReason}; read from any thread} */
    public SingleWriterCounters drops()
    {
        return drops;
    }

    /** {@return frames by {@link PacketVerdict}; read from any thread} */
    public SingleWriterCounters verdicts()
    {
        return verdicts;
    }

    /**
     * Parses the {@code length} bytes of {@code segment} from {@code offset} (the first byte of the destination MAC)
     * into {@code out}, and returns the verdict (also in {@code out}). A negative {@code length} or one past the end of
     * the segment is treated as truncated. Never throws, never allocates.
     *
     * @param segment the frame's memory
     * @param offset the frame's first byte
     * @param length the frame's length
     * @param out where the result goes (reused: overwritten)
     * @return the verdict
     */
    public PacketVerdict parse(final MemorySegment segment, final long offset, final int length, final ParsedPacket out)
    {
        // offset > byteSize - length, not offset + length > byteSize: an offset near Long.MAX_VALUE must not overflow
        // into one that passes as inside the segment (and then throw from the first read).
        final int frameLength = (offset < 0 || length < 0 || offset > segment.byteSize() - length) ? 0 : length;
        out.reset(segment, offset, frameLength);
        final PacketVerdict verdict = parseEthernet(segment, offset, frameLength, out);
        out.verdict(verdict);
        verdicts.increment(verdict.ordinal());
        return verdict;
    }

    private PacketVerdict drop(final ParsedPacket out, final DropReason reason)
    {
        out.dropReason = reason;
        drops.increment(reason.ordinal());
        return PacketVerdict.DROP;
    }

    private PacketVerdict parseEthernet(
        final MemorySegment segment, final long offset, final int length, final ParsedPacket out)
    {
        if (length < EthernetFrame.HEADER_LENGTH)
        {
            return drop(out, DropReason.ETHERNET_TRUNCATED);
        }
        final int etherType = u16(segment, offset + EthernetFrame.ETHER_TYPE_OFFSET);
        if (etherType == EthernetFrame.ETHER_TYPE_IPV4)
        {
            // The common frame, untagged IPv4, straight to its header (out.vlanCount is 0 from reset).
            out.etherType = etherType;
            return parseIpv4(segment, offset + EthernetFrame.HEADER_LENGTH, length - EthernetFrame.HEADER_LENGTH, out);
        }
        return parseTaggedOrOther(segment, offset, length, etherType, out);
    }

    /** Frames that are not untagged IPv4: VLAN tags walked, then IPv4, IPv6 or ARP. */
    private PacketVerdict parseTaggedOrOther(
        final MemorySegment segment, final long offset, final int length, final int outerEtherType,
        final ParsedPacket out)
    {
        final EthernetFrame ethernet = this.ethernet.wrap(segment, offset, length);
        int tags = 0;
        int etherType = outerEtherType;
        while (EthernetFrame.isVlanTag(etherType))
        {
            if (tags == MAX_VLAN_TAGS)
            {
                return drop(out, DropReason.TOO_MANY_VLAN_TAGS);
            }
            if (EthernetFrame.HEADER_LENGTH + (tags + 1) * EthernetFrame.VLAN_TAG_LENGTH > length)
            {
                return drop(out, DropReason.VLAN_TRUNCATED);
            }
            if (tags == 0)
            {
                out.outerVlanId = ethernet.vlanId(0);
            }
            else
            {
                out.innerVlanId = ethernet.vlanId(1);
            }
            tags++;
            etherType = ethernet.etherType(tags);
        }
        out.vlanCount = tags;
        out.etherType = etherType;
        final int l2Length = EthernetFrame.HEADER_LENGTH + tags * EthernetFrame.VLAN_TAG_LENGTH;
        final long l3 = offset + l2Length;
        final int remaining = length - l2Length;
        switch (etherType)
        {
            case EthernetFrame.ETHER_TYPE_IPV4:
                return parseIpv4(segment, l3, remaining, out);
            case EthernetFrame.ETHER_TYPE_IPV6:
                return parseIpv6(segment, l3, remaining, out);
            case EthernetFrame.ETHER_TYPE_ARP:
                out.l3Offset = l3;
                return arp.wrap(segment, l3, remaining).isComplete()
                    ? PacketVerdict.ARP
                    : drop(out, DropReason.ARP_MALFORMED);
            default:
                return drop(out, DropReason.UNKNOWN_ETHER_TYPE);
        }
    }

    private PacketVerdict parseIpv4(
        final MemorySegment segment, final long l3, final int remaining, final ParsedPacket out)
    {
        if (remaining < Ipv4Header.MIN_LENGTH)
        {
            return drop(out, DropReason.IPV4_TRUNCATED);
        }
        // Three wide reads instead of a read per field: every segment access pays its own bounds and liveness check.
        final long first = u64(segment, l3 + Ipv4Header.VERSION_IHL_OFFSET);
        final long second = u64(segment, l3 + Ipv4Header.TTL_OFFSET);
        final int destination = u32(segment, l3 + Ipv4Header.DESTINATION_OFFSET);
        final int versionIhl = (int)(first >>> 56);
        if ((versionIhl >>> 4) != 4)
        {
            return drop(out, DropReason.IPV4_BAD_VERSION);
        }
        final int headerLength = (versionIhl & 0x0F) << 2;
        if (headerLength < Ipv4Header.MIN_LENGTH)
        {
            return drop(out, DropReason.IPV4_BAD_IHL);
        }
        if (headerLength > remaining)
        {
            return drop(out, DropReason.IPV4_TRUNCATED);
        }
        final int totalLength = (int)(first >>> 32) & 0xFFFF;
        if (totalLength < headerLength || totalLength > remaining)
        {
            return drop(out, DropReason.IPV4_BAD_TOTAL_LENGTH);
        }
        final int protocol = (int)(second >>> 48) & 0xFF;
        out.family = IpFamily.IPV4;
        out.l3Offset = l3;
        out.l3Length = totalLength;
        out.ttl = (int)(second >>> 56);
        out.protocol = protocol;
        out.tuple.set(IpFamily.IPV4, protocol, 0, second & 0xFFFF_FFFFL, 0, 0, destination & 0xFFFF_FFFFL, 0);
        final int fragment = (int)first & 0xFFFF;
        if ((fragment & Ipv4Header.FRAGMENT_OFFSET_MASK) != 0)
        {
            return drop(out, DropReason.LATER_FRAGMENT);
        }
        if ((fragment & Ipv4Header.FLAG_MORE_FRAGMENTS) != 0
            && (IpProtocol.hasPorts(protocol) || protocol == IpProtocol.ICMP))
        {
            return drop(out, DropReason.FIRST_FRAGMENT);
        }
        return parseTransport(segment, l3 + headerLength, totalLength - headerLength, out);
    }

    private PacketVerdict parseIpv6(
        final MemorySegment segment, final long l3, final int remaining, final ParsedPacket out)
    {
        if (remaining < Ipv6Header.LENGTH)
        {
            return drop(out, DropReason.IPV6_TRUNCATED);
        }
        final long first = u64(segment, l3 + Ipv6Header.VERSION_OFFSET);
        if ((first >>> 60) != 6)
        {
            return drop(out, DropReason.IPV6_BAD_VERSION);
        }
        final int payloadLength = (int)(first >>> 16) & 0xFFFF;
        if (Ipv6Header.LENGTH + payloadLength > remaining)
        {
            return drop(out, DropReason.IPV6_BAD_PAYLOAD_LENGTH);
        }
        out.family = IpFamily.IPV6;
        out.l3Offset = l3;
        out.l3Length = Ipv6Header.LENGTH + payloadLength;
        out.ttl = (int)first & 0xFF;
        final long limit = l3 + Ipv6Header.LENGTH + payloadLength;
        final int walk = walkIpv6Extensions(segment, l3 + Ipv6Header.LENGTH, limit, (int)(first >>> 8) & 0xFF);
        final int protocol = walkProtocol;
        out.protocol = protocol;
        final long source = l3 + Ipv6Header.SOURCE_OFFSET;
        final long destination = l3 + Ipv6Header.DESTINATION_OFFSET;
        out.tuple.set(IpFamily.IPV6, protocol, u64(segment, source), u64(segment, source + 8), 0,
            u64(segment, destination), u64(segment, destination + 8), 0);
        switch (walk)
        {
            case WALK_TRUNCATED:
                return drop(out, DropReason.IPV6_EXTENSION_TRUNCATED);
            case WALK_TOO_LONG:
                return drop(out, DropReason.IPV6_EXTENSION_CHAIN_TOO_LONG);
            case WALK_LATER_FRAGMENT:
                return drop(out, DropReason.LATER_FRAGMENT);
            default:
                break;
        }
        if (walkFirstFragment && (IpProtocol.hasPorts(protocol) || protocol == IpProtocol.ICMPV6))
        {
            return drop(out, DropReason.FIRST_FRAGMENT);
        }
        return parseTransport(segment, walkOffset, (int)(limit - walkOffset), out);
    }

    /**
     * Walks hop-by-hop, routing, destination-options and fragment headers from {@code at} up to {@code limit}; leaves
     * the transport header's offset and protocol in {@code walkOffset}/{@code walkProtocol}.
     */
    private int walkIpv6Extensions(final MemorySegment segment, final long start, final long limit, final int first)
    {
        long at = start;
        int nextHeader = first;
        int walked = 0;
        walkFirstFragment = false;
        walkProtocol = nextHeader;
        walkOffset = at;
        while (Ipv6Header.isWalkedExtension(nextHeader))
        {
            if (walked == MAX_IPV6_EXTENSION_HEADERS)
            {
                return WALK_TOO_LONG;
            }
            if (at + Ipv6Header.EXTENSION_MIN_LENGTH > limit)
            {
                return WALK_TRUNCATED;
            }
            final int extensionLength = Ipv6Header.extensionLength(segment, at, nextHeader);
            if (at + extensionLength > limit)
            {
                return WALK_TRUNCATED;
            }
            if (nextHeader == IpProtocol.FRAGMENT)
            {
                final int word = Ipv6Header.fragmentWord(segment, at);
                if ((word & Ipv6Header.FRAGMENT_OFFSET_MASK) != 0)
                {
                    return WALK_LATER_FRAGMENT;
                }
                walkFirstFragment |= (word & Ipv6Header.FRAGMENT_MORE) != 0;
            }
            nextHeader = u8(segment, at + Ipv6Header.EXTENSION_NEXT_HEADER_OFFSET);
            at += extensionLength;
            walked++;
            walkProtocol = nextHeader;
            walkOffset = at;
        }
        return WALK_OK;
    }

    private PacketVerdict parseTransport(
        final MemorySegment segment, final long l4, final int l4Length, final ParsedPacket out)
    {
        out.l4Offset = l4;
        out.l4Length = l4Length;
        final int protocol = out.protocol;
        if (protocol == IpProtocol.TCP)
        {
            return parseTcp(segment, l4, l4Length, out);
        }
        if (protocol == IpProtocol.UDP)
        {
            return parseUdp(segment, l4, l4Length, out);
        }
        if ((protocol == IpProtocol.ICMP && out.family == IpFamily.IPV4)
            || (protocol == IpProtocol.ICMPV6 && out.family == IpFamily.IPV6))
        {
            return parseIcmp(segment, l4, l4Length, out);
        }
        return PacketVerdict.OTHER_IP;
    }

    private PacketVerdict parseTcp(
        final MemorySegment segment, final long l4, final int l4Length, final ParsedPacket out)
    {
        if (l4Length < TcpHeader.MIN_LENGTH)
        {
            return drop(out, DropReason.TCP_TRUNCATED);
        }
        final int ports = u32(segment, l4 + PortsHeader.SOURCE_PORT_OFFSET);
        final int offsetAndFlags = u16(segment, l4 + TcpHeader.DATA_OFFSET_OFFSET);
        final int headerLength = (offsetAndFlags >>> 12) << 2;
        if (headerLength < TcpHeader.MIN_LENGTH || headerLength > l4Length)
        {
            return drop(out, DropReason.TCP_BAD_DATA_OFFSET);
        }
        out.tuple.ports(ports >>> 16, ports & 0xFFFF);
        out.tcpFlags = offsetAndFlags & 0xFF;
        out.payloadOffset = l4 + headerLength;
        out.payloadLength = l4Length - headerLength;
        return PacketVerdict.TCP;
    }

    private PacketVerdict parseUdp(
        final MemorySegment segment, final long l4, final int l4Length, final ParsedPacket out)
    {
        if (l4Length < UdpHeader.LENGTH)
        {
            return drop(out, DropReason.UDP_TRUNCATED);
        }
        final long header = u64(segment, l4);
        final int datagramLength = (int)(header >>> 16) & 0xFFFF;
        if (datagramLength < UdpHeader.LENGTH || datagramLength > l4Length)
        {
            return drop(out, DropReason.UDP_BAD_LENGTH);
        }
        out.tuple.ports((int)(header >>> 48), (int)(header >>> 32) & 0xFFFF);
        out.payloadOffset = l4 + UdpHeader.LENGTH;
        out.payloadLength = datagramLength - UdpHeader.LENGTH;
        return PacketVerdict.UDP;
    }

    private PacketVerdict parseIcmp(
        final MemorySegment segment, final long l4, final int l4Length, final ParsedPacket out)
    {
        final IcmpHeader icmp = this.icmp.wrap(segment, l4, l4Length);
        if (!icmp.isComplete())
        {
            return drop(out, DropReason.ICMP_TRUNCATED);
        }
        final int type = icmp.type();
        out.icmpType = type;
        out.icmpCode = icmp.code();
        out.payloadOffset = l4 + IcmpHeader.LENGTH;
        out.payloadLength = l4Length - IcmpHeader.LENGTH;
        final boolean v4 = out.family == IpFamily.IPV4;
        if (!(v4 ? IcmpHeader.isIpv4Error(type) : IcmpHeader.isIpv6Error(type)))
        {
            return PacketVerdict.ICMP;
        }
        final long quoted = l4 + IcmpHeader.LENGTH;
        final int available = l4Length - IcmpHeader.LENGTH;
        return v4 ? parseQuotedIpv4(segment, quoted, available, out) : parseQuotedIpv6(segment, quoted, available, out);
    }

    private PacketVerdict parseQuotedIpv4(
        final MemorySegment segment, final long l3, final int available, final ParsedPacket out)
    {
        if (available < Ipv4Header.MIN_LENGTH)
        {
            return drop(out, DropReason.ICMP_EMBEDDED_TRUNCATED);
        }
        final Ipv4Header ip = ipv4.wrap(segment, l3, available);
        if (ip.version() != 4 || ip.ihl() < 5)
        {
            return drop(out, DropReason.ICMP_EMBEDDED_MALFORMED);
        }
        final int headerLength = ip.headerLength();
        if (headerLength > available)
        {
            return drop(out, DropReason.ICMP_EMBEDDED_TRUNCATED);
        }
        final int protocol = ip.protocol();
        if (!IpProtocol.hasPorts(protocol) || ip.isLaterFragment())
        {
            return drop(out, DropReason.ICMP_EMBEDDED_UNSUPPORTED);
        }
        out.embeddedTuple.set(IpFamily.IPV4, protocol, 0, ip.source() & 0xFFFF_FFFFL, 0,
            0, ip.destination() & 0xFFFF_FFFFL, 0);
        return quotedPorts(segment, l3, l3 + headerLength, available - headerLength, out);
    }

    private PacketVerdict parseQuotedIpv6(
        final MemorySegment segment, final long l3, final int available, final ParsedPacket out)
    {
        if (available < Ipv6Header.LENGTH)
        {
            return drop(out, DropReason.ICMP_EMBEDDED_TRUNCATED);
        }
        final Ipv6Header ip = ipv6.wrap(segment, l3, available);
        if (ip.version() != 6)
        {
            return drop(out, DropReason.ICMP_EMBEDDED_MALFORMED);
        }
        final long limit = l3 + available;
        final int walk = walkIpv6Extensions(segment, l3 + Ipv6Header.LENGTH, limit, ip.nextHeader());
        if (walk == WALK_TRUNCATED || walk == WALK_TOO_LONG)
        {
            return drop(out, walk == WALK_TRUNCATED
                ? DropReason.ICMP_EMBEDDED_TRUNCATED
                : DropReason.ICMP_EMBEDDED_MALFORMED);
        }
        final int protocol = walkProtocol;
        if (walk == WALK_LATER_FRAGMENT || !IpProtocol.hasPorts(protocol))
        {
            return drop(out, DropReason.ICMP_EMBEDDED_UNSUPPORTED);
        }
        out.embeddedTuple.set(IpFamily.IPV6, protocol, ip.sourceHi(), ip.sourceLo(), 0,
            ip.destinationHi(), ip.destinationLo(), 0);
        return quotedPorts(segment, l3, walkOffset, (int)(limit - walkOffset), out);
    }

    /** The quoted transport header: RFC 792 promises its first 8 bytes, which hold both ports. */
    private PacketVerdict quotedPorts(
        final MemorySegment segment, final long l3, final long l4, final int available, final ParsedPacket out)
    {
        if (available < UdpHeader.LENGTH)
        {
            return drop(out, DropReason.ICMP_EMBEDDED_TRUNCATED);
        }
        final int ports = u32(segment, l4);
        out.embeddedTuple.ports(ports >>> 16, ports & 0xFFFF);
        out.embeddedL3Offset = l3;
        out.embeddedL4Offset = l4;
        out.embeddedL4Length = available;
        return PacketVerdict.ICMP_ERROR;
    }
}
