package io.marchproxy.dataplane.packet;

import io.marchproxy.dataplane.net.FlowTuple;

import java.lang.foreign.MemorySegment;

/**
 * What {@link PacketParser} learned about one frame: the offset of every layer (absolute offsets into the frame's
 * segment), the L3 family, the 5-tuple, TCP flags, TTL, and for an ICMP error the quoted packet's offsets and tuple.
 * One instance per thread, refilled for every frame: nothing here is valid after the next {@code parse} or once the
 * frame's memory is reused. Check the verdict first: offsets of layers the frame does not have are -1, and the other
 * fields of such layers (lengths, protocol, TTL, the tuples) are unspecified, possibly left from an earlier frame.
 * The tuple is set for every IP verdict (ports 0 unless TCP or UDP), the embedded tuple only for ICMP_ERROR.
 */
public final class ParsedPacket
{
    final FlowTuple tuple = new FlowTuple();
    final FlowTuple embeddedTuple = new FlowTuple();

    MemorySegment segment;
    long frameOffset;
    int frameLength;
    PacketVerdict verdict;
    DropReason dropReason;
    int vlanCount;
    int outerVlanId;
    int innerVlanId;
    int etherType;
    int family;
    long l3Offset;
    int l3Length;
    int protocol;
    long l4Offset;
    int l4Length;
    long payloadOffset;
    int payloadLength;
    int ttl;
    int tcpFlags;
    int icmpType;
    int icmpCode;
    long embeddedL3Offset;
    long embeddedL4Offset;
    int embeddedL4Length;

    /** An empty result, filled by {@link PacketParser#parse}; one instance reused per thread. */
    public ParsedPacket()
    {
    }

    /**
     * Resets what must not leak from the previous frame: the drop reason, VLAN ids and the layer offsets (-1 for
     * "absent"). The other fields are always written by the parse that reaches their layer, and are only meaningful
     * then; clearing them too would cost a store each on every frame.
     */
    void reset(final MemorySegment segment, final long offset, final int length)
    {
        // References are stored only when they change: a store of a reference into an old object pays G1's
        // post-write barrier (a StoreLoad fence when the card is not young), and frames mostly share one UMEM segment.
        if (this.segment != segment)
        {
            this.segment = segment;
        }
        frameOffset = offset;
        frameLength = length;
        if (dropReason != null)
        {
            dropReason = null;
        }
        vlanCount = 0;
        outerVlanId = -1;
        innerVlanId = -1;
        family = 0;
        l3Offset = -1;
        l4Offset = -1;
        payloadOffset = -1;
        tcpFlags = 0;
        icmpType = -1;
        embeddedL3Offset = -1;
        embeddedL4Offset = -1;
    }

    /** Sets the verdict, storing the reference only when it changes (see {@link #reset}). */
    void verdict(final PacketVerdict verdict)
    {
        if (this.verdict != verdict)
        {
            this.verdict = verdict;
        }
    }

    /** {@return the segment holding the frame} */
    public MemorySegment segment()
    {
        return segment;
    }

    /** {@return offset of the frame's first byte (the destination MAC) in {@link #segment()}} */
    public long frameOffset()
    {
        return frameOffset;
    }

    /** {@return bytes of the frame as received} */
    public int frameLength()
    {
        return frameLength;
    }

    /** {@return the parser's verdict for this frame} */
    public PacketVerdict verdict()
    {
        return verdict;
    }

    /** {@return why the frame is dropped; {@code null} unless the verdict is {@link PacketVerdict#DROP}} */
    public DropReason dropReason()
    {
        return dropReason;
    }

    /** {@return VLAN tags before the EtherType: 0, 1 or 2} */
    public int vlanCount()
    {
        return vlanCount;
    }

    /** {@return VLAN id of the outer tag, or -1} */
    public int outerVlanId()
    {
        return outerVlanId;
    }

    /** {@return VLAN id of the inner (second) tag, or -1} */
    public int innerVlanId()
    {
        return innerVlanId;
    }

    /** {@return the EtherType after the VLAN tags} */
    public int etherType()
    {
        return etherType;
    }

    /** {@return {@code IpFamily.IPV4}, {@code IpFamily.IPV6}, or 0 (ARP, dropped before L3)} */
    public int family()
    {
        return family;
    }

    /** {@return offset of the IP header} */
    public long l3Offset()
    {
        return l3Offset;
    }

    /** {@return bytes of the IP packet per its own length fields (Ethernet padding excluded)} */
    public int l3Length()
    {
        return l3Length;
    }

    /** {@return bytes of IP header: IHL x 4, or 40 plus the IPv6 extension headers} */
    public int l3HeaderLength()
    {
        return (int)(l4Offset - l3Offset);
    }

    /** {@return IP protocol of the transport header (after IPv6 extension headers)} */
    public int protocol()
    {
        return protocol;
    }

    /** {@return offset of the transport (TCP, UDP, ICMP) header} */
    public long l4Offset()
    {
        return l4Offset;
    }

    /** {@return bytes from the transport header to the end of the IP packet} */
    public int l4Length()
    {
        return l4Length;
    }

    /** {@return offset of the TCP or UDP payload} */
    public long payloadOffset()
    {
        return payloadOffset;
    }

    /** {@return bytes of TCP or UDP payload} */
    public int payloadLength()
    {
        return payloadLength;
    }

    /** {@return IPv4 TTL or IPv6 hop limit} */
    public int ttl()
    {
        return ttl;
    }

    /** {@return TCP flag bits ({@link TcpHeader#SYN} ...), 0 for other protocols} */
    public int tcpFlags()
    {
        return tcpFlags;
    }

    /**
     * The 5-tuple of the packet (ports 0 for ICMP and other protocols). The instance is owned by this object: read it
     * or copy it, do not keep it.
     *
     * @return the tuple
     */
    public FlowTuple tuple()
    {
        return tuple;
    }

    /** {@return ICMP or ICMPv6 type, or -1} */
    public int icmpType()
    {
        return icmpType;
    }

    /** {@return ICMP or ICMPv6 code, or -1} */
    public int icmpCode()
    {
        return icmpCode;
    }

    /** {@return true when the verdict is {@link PacketVerdict#ICMP_ERROR}} */
    public boolean isIcmpError()
    {
        return verdict == PacketVerdict.ICMP_ERROR;
    }

    /** {@return offset of the quoted IP header inside an ICMP error, or -1} */
    public long embeddedL3Offset()
    {
        return embeddedL3Offset;
    }

    /** {@return offset of the quoted transport header inside an ICMP error, or -1} */
    public long embeddedL4Offset()
    {
        return embeddedL4Offset;
    }

    /** {@return bytes of the quoted transport header present in the frame (at least 8)} */
    public int embeddedL4Length()
    {
        return embeddedL4Length;
    }

    /**
     * The 5-tuple of the packet an ICMP error quotes: a packet this node sent, so it is the reverse of the flow key
     * the error belongs to. Owned by this object: read or copy it.
     *
     * @return the quoted packet's tuple
     */
    public FlowTuple embeddedTuple()
    {
        return embeddedTuple;
    }
}
