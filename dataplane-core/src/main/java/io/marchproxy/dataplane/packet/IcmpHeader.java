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
    public static final int TYPE_OFFSET = 0;
    public static final int CODE_OFFSET = 1;
    public static final int CHECKSUM_OFFSET = 2;
    public static final int REST_OFFSET = 4;
    public static final int LENGTH = 8;

    public static final int V4_ECHO_REPLY = 0;
    public static final int V4_DESTINATION_UNREACHABLE = 3;
    public static final int V4_ECHO_REQUEST = 8;
    public static final int V4_TIME_EXCEEDED = 11;
    public static final int V4_PARAMETER_PROBLEM = 12;
    /** Code of {@link #V4_DESTINATION_UNREACHABLE}: fragmentation needed and DF set (path MTU discovery). */
    public static final int V4_CODE_FRAGMENTATION_NEEDED = 4;

    public static final int V6_DESTINATION_UNREACHABLE = 1;
    public static final int V6_PACKET_TOO_BIG = 2;
    public static final int V6_TIME_EXCEEDED = 3;
    public static final int V6_PARAMETER_PROBLEM = 4;
    public static final int V6_ECHO_REQUEST = 128;
    public static final int V6_ECHO_REPLY = 129;

    /** True when the 8-byte header fits. */
    public boolean isComplete()
    {
        return length >= LENGTH;
    }

    public int type()
    {
        return u8(segment, offset + TYPE_OFFSET);
    }

    public int code()
    {
        return u8(segment, offset + CODE_OFFSET);
    }

    public int checksum()
    {
        return u16(segment, offset + CHECKSUM_OFFSET);
    }

    public void checksum(final int checksum)
    {
        putU16(segment, offset + CHECKSUM_OFFSET, checksum);
    }

    /** The type-specific word after the checksum. */
    public int rest()
    {
        return u32(segment, offset + REST_OFFSET);
    }

    /** True for the ICMPv4 errors that quote a packet: destination unreachable, time exceeded, parameter problem. */
    public static boolean isIpv4Error(final int type)
    {
        return type == V4_DESTINATION_UNREACHABLE || type == V4_TIME_EXCEEDED || type == V4_PARAMETER_PROBLEM;
    }

    /** True for the ICMPv6 errors 1-4: destination unreachable, packet too big, time exceeded, parameter problem. */
    public static boolean isIpv6Error(final int type)
    {
        return type >= V6_DESTINATION_UNREACHABLE && type <= V6_PARAMETER_PROBLEM;
    }
}
