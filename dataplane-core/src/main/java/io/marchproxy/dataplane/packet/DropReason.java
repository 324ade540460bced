package io.marchproxy.dataplane.packet;

/**
 * Why a frame was dropped. {@link PacketParser} counts the parse reasons (malformed or unsupported frames); the
 * reasons after {@link #ICMP_EMBEDDED_UNSUPPORTED} are for the per-packet pipeline built on top (service, access,
 * flow, NAT, QoS, hand-off rings, flow offload), so that one counter set indexed by this enum
 * ({@code SingleWriterCounters.forEnum(DropReason.class)}) says where every dropped frame went. Each reason belongs to
 * a {@link DropClass}, what dashboards and alerts group by. Reasons of features still to come (QoS, rings between
 * agents, flow offload) are here already so that their counters exist, at 0, and keep their names when the feature
 * lands.
 */
public enum DropReason
{
    /** Shorter than the 14-byte Ethernet header. */
    ETHERNET_TRUNCATED,
    /** A VLAN tag announced but cut off. */
    VLAN_TRUNCATED,
    /** More than two VLAN tags (QinQ is the most the parser walks). */
    TOO_MANY_VLAN_TAGS(DropClass.UNSUPPORTED),
    /** Neither IPv4, IPv6 nor ARP after the tags. */
    UNKNOWN_ETHER_TYPE(DropClass.UNSUPPORTED),
    /** ARP that is cut off or not Ethernet/IPv4 ARP. */
    ARP_MALFORMED,
    /** Shorter than 20 bytes, or the options the IHL announces are cut off. */
    IPV4_TRUNCATED,
    /** EtherType IPv4 but the version nibble is not 4. */
    IPV4_BAD_VERSION,
    /** IHL below 5. */
    IPV4_BAD_IHL,
    /** Total length below the header length or past the end of the frame. */
    IPV4_BAD_TOTAL_LENGTH,
    /** Shorter than the 40-byte IPv6 header. */
    IPV6_TRUNCATED,
    /** EtherType IPv6 but the version nibble is not 6. */
    IPV6_BAD_VERSION,
    /** Payload length past the end of the frame. */
    IPV6_BAD_PAYLOAD_LENGTH,
    /** An extension header cut off by the payload length. */
    IPV6_EXTENSION_TRUNCATED,
    /** More extension headers than {@link PacketParser#MAX_IPV6_EXTENSION_HEADERS}. */
    IPV6_EXTENSION_CHAIN_TOO_LONG(DropClass.UNSUPPORTED),
    /** A fragment with a non-zero offset (IPv4 or IPv6): it has no ports and the node does not reassemble. */
    LATER_FRAGMENT(DropClass.UNSUPPORTED),
    /** The first fragment of a TCP, UDP or ICMP datagram: its ports are there but the rest of it cannot follow. */
    FIRST_FRAGMENT(DropClass.UNSUPPORTED),
    /** Fewer than 20 bytes of TCP header. */
    TCP_TRUNCATED,
    /** TCP data offset below 5 words or past the end of the IP payload. */
    TCP_BAD_DATA_OFFSET,
    /** Fewer than 8 bytes of UDP header. */
    UDP_TRUNCATED,
    /** UDP length field below 8 or past the end of the IP payload. */
    UDP_BAD_LENGTH,
    /** Fewer than 8 bytes of ICMP or ICMPv6 header. */
    ICMP_TRUNCATED,
    /** An ICMP error whose quoted IP header or first 8 transport bytes are cut off. */
    ICMP_EMBEDDED_TRUNCATED,
    /** An ICMP error quoting something that is not an IP header of the outer family. */
    ICMP_EMBEDDED_MALFORMED,
    /** An ICMP error quoting a packet that is neither TCP nor UDP, or a later fragment: no flow to attribute it to. */
    ICMP_EMBEDDED_UNSUPPORTED(DropClass.UNSUPPORTED),
    /** TTL or hop limit would reach 0 when forwarded. */
    TTL_EXPIRED(DropClass.UNROUTABLE),
    /** No service matches the destination (address, protocol, port). */
    NO_SERVICE(DropClass.UNROUTABLE),
    /** The access rules deny the flow. */
    ACCESS_DENIED(DropClass.ACCESS),
    /** The service has no backend that may take new flows. */
    NO_BACKEND(DropClass.NO_BACKEND),
    /** The flow table is full. */
    FLOW_TABLE_FULL(DropClass.EXHAUSTED),
    /** No SNAT port left for the node address and protocol. */
    NAT_PORTS_EXHAUSTED(DropClass.EXHAUSTED),
    /** A packet that must belong to a known flow (a reply, an ICMP error, a TCP segment without SYN) and does not. */
    NO_FLOW(DropClass.UNROUTABLE),
    /** The next hop's MAC address is not known (yet): the kernel's neighbour table has no usable entry for it. */
    NO_NEIGHBOUR(DropClass.UNROUTABLE),
    /** QoS: the service's token bucket (rate, burst) would have no tokens for the frame within its delay bound. */
    QOS_RATE_EXCEEDED(DropClass.QOS),
    /** QoS: the frame's priority-class queue (or the shaper holding services over their rate) was full. */
    QOS_QUEUE_FULL(DropClass.QOS),
    /** QoS: the frame waited in its priority queue past the class's maximum queueing delay. */
    QOS_DELAY_EXCEEDED(DropClass.QOS),
    /** A ring between two dataplane agents (one hands frames to another) was full: dropped, never waited for. */
    RING_FULL(DropClass.RING_FULL),
    /**
     * The XDP flow-offload table had no room for a flow that the offload path could only carry there. The L4 proxy's
     * offload never counts it: a flow that finds no room stays on the Java path, forwarded there, and is counted as
     * {@code OffloadCounter.FAILED_FULL} (not a drop).
     */
    OFFLOAD_FULL(DropClass.OFFLOAD_FULL);

    private final DropClass dropClass;

    /** The parser's reasons not marked otherwise: a broken frame. */
    DropReason()
    {
        this(DropClass.MALFORMED);
    }

    DropReason(final DropClass dropClass)
    {
        this.dropClass = dropClass;
    }

    /** {@return the class of the reason, for grouping} */
    public DropClass dropClass()
    {
        return dropClass;
    }
}
