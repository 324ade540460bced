package io.marchproxy.dataplane.packet;

/**
 * Why a frame was dropped. {@link PacketParser} counts the parse reasons (malformed or unsupported frames); the
 * reasons after {@link #ICMP_EMBEDDED_UNSUPPORTED} are for the per-packet pipeline built on top (service, access,
 * flow, NAT), so that one counter set indexed by this enum ({@code SingleWriterCounters.forEnum(DropReason.class)})
 * says where every dropped frame went.
 */
public enum DropReason
{
    /** Shorter than the 14-byte Ethernet header. */
    ETHERNET_TRUNCATED,
    /** A VLAN tag announced but cut off. */
    VLAN_TRUNCATED,
    /** More than two VLAN tags (QinQ is the most the parser walks). */
    TOO_MANY_VLAN_TAGS,
    /** Neither IPv4, IPv6 nor ARP after the tags. */
    UNKNOWN_ETHER_TYPE,
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
    IPV6_EXTENSION_CHAIN_TOO_LONG,
    /** A fragment with a non-zero offset (IPv4 or IPv6): it has no ports and the node does not reassemble. */
    LATER_FRAGMENT,
    /** The first fragment of a TCP, UDP or ICMP datagram: its ports are there but the rest of it cannot follow. */
    FIRST_FRAGMENT,
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
    ICMP_EMBEDDED_UNSUPPORTED,
    /** TTL or hop limit would reach 0 when forwarded. */
    TTL_EXPIRED,
    /** No service matches the destination (address, protocol, port). */
    NO_SERVICE,
    /** The access rules deny the flow. */
    ACCESS_DENIED,
    /** The service has no backend that may take new flows. */
    NO_BACKEND,
    /** The flow table is full. */
    FLOW_TABLE_FULL,
    /** No SNAT port left for the node address and protocol. */
    NAT_PORTS_EXHAUSTED,
    /** A packet that must belong to a known flow (a reply, an ICMP error, a TCP segment without SYN) and does not. */
    NO_FLOW,
    /** The next hop's MAC address is not known (yet): the kernel's neighbour table has no usable entry for it. */
    NO_NEIGHBOUR,
    /** QoS: the frame's priority-class queue (or the shaper of services over their rate) was full. */
    QOS_QUEUE_FULL,
    /** QoS: the frame would have waited in the node longer than its delay bound. */
    QOS_DELAY_EXCEEDED
}
