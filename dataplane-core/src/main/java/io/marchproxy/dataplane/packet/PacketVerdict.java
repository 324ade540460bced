package io.marchproxy.dataplane.packet;

/** What {@link PacketParser#parse} found in a frame; {@link #DROP} comes with a {@link DropReason}. */
public enum PacketVerdict
{
    /** A complete TCP segment: tuple, flags and payload offset are set. */
    TCP,
    /** A complete UDP datagram: tuple and payload offset are set. */
    UDP,
    /** An ICMP or ICMPv6 message that is not an error (echo, neighbour discovery, ...). */
    ICMP,
    /** An ICMP or ICMPv6 error quoting a TCP or UDP packet: the embedded tuple and offsets are set. */
    ICMP_ERROR,
    /** An Ethernet/IPv4 ARP packet. */
    ARP,
    /** A well-formed IP packet of a protocol the proxy does not translate (or behind an extension it does not walk). */
    OTHER_IP,
    /** Malformed or unsupported: see {@link ParsedPacket#dropReason()}. */
    DROP
}
