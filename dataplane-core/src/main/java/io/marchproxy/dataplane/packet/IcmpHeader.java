package io.marchproxy.dataplane.packet;

import static io.marchproxy.dataplane.packet.NetworkByteOrder.putU16;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u16;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u32;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u8;

/**
 * Flyweight over the 8-byte header ICMPv4 (RFC 792) and ICMPv6 (RFC 4443) share: type, code, checksum, and a 32-bit
 * word whose meaning depends on the type (echo id and sequence, the next-hop MTU of "fragmentation needed" in its low
 * 16 bits, the MTU of "packet too big"). An error message quotes the offending packet's IP header and at least the
 * first 8 bytes of its transport header right after these 8 bytes. The ICMPv4 checksum covers the message only;
 * ICMPv6's also covers the IPv6 pseudo-header. Accessors read and write in place and check nothing.
 */
public final class IcmpHeader extends HeaderFlyweight<IcmpHeader>
{
    /** Offset of the type. */
    public static final int TYPE_OFFSET = 0;
    /** Offset of the code. */
    public static final int CODE_OFFSET = 1;
    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = 2;
    /** Offset of the type-specific word. */
    public static final int REST_OFFSET = 4;
    /** Length of the header. */
    public static final int LENGTH = 8;

    /** ICMPv4 echo reply. */
    public static final int V4_ECHO_REPLY = 0;
    /** ICMPv4 destination unreachable (code 4: fragmentation needed, the MTU in {@link #rest()}). */
    public static final int V4_DESTINATION_UNREACHABLE = 3;
    /** ICMPv4 echo request. */
    public static final int V4_ECHO_REQUEST = 8;
    /** ICMPv4 time exceeded. */
    public static final int V4_TIME_EXCEEDED = 11;
    /** ICMPv4 parameter problem. */
    public static final int V4_PARAMETER_PROBLEM = 12;
    /** Code of {@link #V4_DESTINATION_UNREACHABLE}: fragmentation needed and DF set (path MTU discovery). */
    public static final int V4_CODE_FRAGMENTATION_NEEDED = 4;

    /** ICMPv6 destination unreachable. */
    public static final int V6_DESTINATION_UNREACHABLE = 1;
    /** ICMPv6 packet too big (the MTU in {@link #rest()}). */
    public static final int V6_PACKET_TOO_BIG = 2;
    /** ICMPv6 time exceeded. */
    public static final int V6_TIME_EXCEEDED = 3;
    /** ICMPv6 parameter problem. */
    public static final int V6_PARAMETER_PROBLEM = 4;
    /** ICMPv6 echo request. */
    public static final int V6_ECHO_REQUEST = 128;
    /** ICMPv6 echo reply. */
    public static final int V6_ECHO_REPLY = 129;

    /** A flyweight pointing at nothing until {@link #wrap}. */
    public IcmpHeader()
    {
    }

    /** {@return true when the 8-byte header fits} */
    public boolean isComplete()
    {
        return length >= LENGTH;
    }

    /** {@return the type} */
    public int type()
    {
        return u8(segment, offset + TYPE_OFFSET);
    }

    /** {@return the code} */
    public int code()
    {
        return u8(segment, offset + CODE_OFFSET);
    }

    /** {@return the checksum field} */
    public int checksum()
    {
        return u16(segment, offset + CHECKSUM_OFFSET);
    }

    /**
     * Writes the checksum field.
     *
     * @param checksum the checksum
     */
    public void checksum(final int checksum)
    {
        putU16(segment, offset + CHECKSUM_OFFSET, checksum);
    }

    /** {@return the type-specific word after the checksum} */
    public int rest()
    {
        return u32(segment, offset + REST_OFFSET);
    }

    /**
     * {@return true for the ICMPv4 errors that quote a packet: destination unreachable, time exceeded, parameter
     * problem}
     *
     * @param type an ICMPv4 type
     */
    public static boolean isIpv4Error(final int type)
    {
        return type == V4_DESTINATION_UNREACHABLE || type == V4_TIME_EXCEEDED || type == V4_PARAMETER_PROBLEM;
    }

    /**
     * {@return true for the ICMPv6 errors 1-4: destination unreachable, packet too big, time exceeded, parameter
     * problem}
     *
     * @param type an ICMPv6 type
     */
    public static boolean isIpv6Error(final int type)
    {
        return type >= V6_DESTINATION_UNREACHABLE && type <= V6_PARAMETER_PROBLEM;
    }
}
