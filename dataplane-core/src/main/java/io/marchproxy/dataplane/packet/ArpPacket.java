package io.marchproxy.dataplane.packet;

import static io.marchproxy.dataplane.packet.NetworkByteOrder.u16;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u32;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u48;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u8;

/**
 * Flyweight over an ARP packet for IPv4 over Ethernet (RFC 826: hardware type 1, protocol type 0x0800, lengths 6 and
 * 4), the only kind {@link PacketParser} accepts. Accessors read in place and check nothing.
 */
public final class ArpPacket extends HeaderFlyweight<ArpPacket>
{
    /** Offset of the hardware type (1: Ethernet). */
    public static final int HARDWARE_TYPE_OFFSET = 0;
    /** Offset of the protocol type (0x0800: IPv4). */
    public static final int PROTOCOL_TYPE_OFFSET = 2;
    /** Offset of the hardware address length (6). */
    public static final int HARDWARE_LENGTH_OFFSET = 4;
    /** Offset of the protocol address length (4). */
    public static final int PROTOCOL_LENGTH_OFFSET = 5;
    /** Offset of the operation. */
    public static final int OPERATION_OFFSET = 6;
    /** Offset of the sender's MAC. */
    public static final int SENDER_MAC_OFFSET = 8;
    /** Offset of the sender's IPv4 address. */
    public static final int SENDER_IP_OFFSET = 14;
    /** Offset of the target's MAC. */
    public static final int TARGET_MAC_OFFSET = 18;
    /** Offset of the target's IPv4 address. */
    public static final int TARGET_IP_OFFSET = 24;
    /** Length of an Ethernet/IPv4 ARP packet. */
    public static final int LENGTH = 28;

    /** Hardware type Ethernet. */
    public static final int HARDWARE_ETHERNET = 1;
    /** Operation: request (who has the target's IP?). */
    public static final int OPERATION_REQUEST = 1;
    /** Operation: reply (the sender's IP is at the sender's MAC). */
    public static final int OPERATION_REPLY = 2;

    /** A flyweight pointing at nothing until {@link #wrap}. */
    public ArpPacket()
    {
    }

    /** {@return true when the 28 bytes fit and the packet is Ethernet/IPv4 ARP} */
    public boolean isComplete()
    {
        return length >= LENGTH
            && hardwareType() == HARDWARE_ETHERNET
            && protocolType() == EthernetFrame.ETHER_TYPE_IPV4
            && u8(segment, offset + HARDWARE_LENGTH_OFFSET) == 6
            && u8(segment, offset + PROTOCOL_LENGTH_OFFSET) == 4;
    }

    /** {@return the hardware type} */
    public int hardwareType()
    {
        return u16(segment, offset + HARDWARE_TYPE_OFFSET);
    }

    /** {@return the protocol type} */
    public int protocolType()
    {
        return u16(segment, offset + PROTOCOL_TYPE_OFFSET);
    }

    /** {@return the operation: {@link #OPERATION_REQUEST} or {@link #OPERATION_REPLY}} */
    public int operation()
    {
        return u16(segment, offset + OPERATION_OFFSET);
    }

    /** {@return the sender's MAC in the low 48 bits} */
    public long senderMac()
    {
        return u48(segment, offset + SENDER_MAC_OFFSET);
    }

    /** {@return the sender's IPv4 address, the {@code int} of its network-order bytes} */
    public int senderIp()
    {
        return u32(segment, offset + SENDER_IP_OFFSET);
    }

    /** {@return the target's MAC in the low 48 bits} */
    public long targetMac()
    {
        return u48(segment, offset + TARGET_MAC_OFFSET);
    }

    /** {@return the target's IPv4 address, the {@code int} of its network-order bytes} */
    public int targetIp()
    {
        return u32(segment, offset + TARGET_IP_OFFSET);
    }
}
