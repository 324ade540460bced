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
    public static final int HARDWARE_TYPE_OFFSET = 0;
    public static final int PROTOCOL_TYPE_OFFSET = 2;
    public static final int HARDWARE_LENGTH_OFFSET = 4;
    public static final int PROTOCOL_LENGTH_OFFSET = 5;
    public static final int OPERATION_OFFSET = 6;
    public static final int SENDER_MAC_OFFSET = 8;
    public static final int SENDER_IP_OFFSET = 14;
    public static final int TARGET_MAC_OFFSET = 18;
    public static final int TARGET_IP_OFFSET = 24;
    public static final int LENGTH = 28;

    public static final int HARDWARE_ETHERNET = 1;
    public static final int OPERATION_REQUEST = 1;
    public static final int OPERATION_REPLY = 2;

    /** True when the 28 bytes fit and the packet is Ethernet/IPv4 ARP. */
    public boolean isComplete()
    {
        return length >= LENGTH
            && hardwareType() == HARDWARE_ETHERNET
            && protocolType() == EthernetFrame.ETHER_TYPE_IPV4
            && u8(segment, offset + HARDWARE_LENGTH_OFFSET) == 6
            && u8(segment, offset + PROTOCOL_LENGTH_OFFSET) == 4;
    }

    public int hardwareType()
    {
        return u16(segment, offset + HARDWARE_TYPE_OFFSET);
    }

    public int protocolType()
    {
        return u16(segment, offset + PROTOCOL_TYPE_OFFSET);
    }

    public int operation()
    {
        return u16(segment, offset + OPERATION_OFFSET);
    }

    public long senderMac()
    {
        return u48(segment, offset + SENDER_MAC_OFFSET);
    }

    public int senderIp()
    {
        return u32(segment, offset + SENDER_IP_OFFSET);
    }

    public long targetMac()
    {
        return u48(segment, offset + TARGET_MAC_OFFSET);
    }

    public int targetIp()
    {
        return u32(segment, offset + TARGET_IP_OFFSET);
    }
}
