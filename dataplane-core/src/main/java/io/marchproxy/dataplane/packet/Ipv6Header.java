package io.marchproxy.dataplane.packet;

import java.lang.foreign.MemorySegment;

import static io.marchproxy.dataplane.packet.NetworkByteOrder.putU8;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u16;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u64;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u8;

/**
 * Flyweight over the fixed 40-byte IPv6 header (RFC 8200) and the extension headers the parser walks: hop-by-hop
 * options, routing, destination options (length in 8-byte units after the first 8) and fragment (8 bytes). Addresses
 * are two big-endian {@code long}s each. Accessors read in place and check nothing.
 */
public final class Ipv6Header extends HeaderFlyweight<Ipv6Header>
{
    /** Offset of the version (top nibble), traffic class and flow label. */
    public static final int VERSION_OFFSET = 0;
    /** Offset of the payload length. */
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    /** Offset of the next header. */
    public static final int NEXT_HEADER_OFFSET = 6;
    /** Offset of the hop limit. */
    public static final int HOP_LIMIT_OFFSET = 7;
    /** Offset of the source address. */
    public static final int SOURCE_OFFSET = 8;
    /** Offset of the destination address. */
    public static final int DESTINATION_OFFSET = 24;
    /** Length of the fixed header. */
    public static final int LENGTH = 40;

    /** An extension header's own first two bytes: next header, then length. */
    public static final int EXTENSION_NEXT_HEADER_OFFSET = 0;
    /** Offset of an extension header's length field. */
    public static final int EXTENSION_LENGTH_OFFSET = 1;
    /** Every extension header the parser walks is at least this long. */
    public static final int EXTENSION_MIN_LENGTH = 8;
    /** The fragment header's offset/flags word: offset in the top 13 bits, M flag in bit 0. */
    public static final int FRAGMENT_OFFSET_FLAGS_OFFSET = 2;
    /** The fragment offset's bits in the offset/flags word. */
    public static final int FRAGMENT_OFFSET_MASK = 0xFFF8;
    /** The M (more fragments) flag in the offset/flags word. */
    public static final int FRAGMENT_MORE = 0x0001;

    /** A flyweight pointing at nothing until {@link #wrap}. */
    public Ipv6Header()
    {
    }

    /** {@return true when the 40 bytes fit and the version is 6} */
    public boolean isComplete()
    {
        return length >= LENGTH && version() == 6;
    }

    /** {@return the version field (6 for IPv6)} */
    public int version()
    {
        return u8(segment, offset + VERSION_OFFSET) >>> 4;
    }

    /** {@return the payload length: extension headers and upper layer, in bytes} */
    public int payloadLength()
    {
        return u16(segment, offset + PAYLOAD_LENGTH_OFFSET);
    }

    /** {@return the next header field} */
    public int nextHeader()
    {
        return u8(segment, offset + NEXT_HEADER_OFFSET);
    }

    /** {@return the hop limit} */
    public int hopLimit()
    {
        return u8(segment, offset + HOP_LIMIT_OFFSET);
    }

    /**
     * Writes the hop limit.
     *
     * @param hopLimit the new hop limit
     */
    public void hopLimit(final int hopLimit)
    {
        putU8(segment, offset + HOP_LIMIT_OFFSET, hopLimit);
    }

    /** {@return the source address' high 64 bits} */
    public long sourceHi()
    {
        return u64(segment, offset + SOURCE_OFFSET);
    }

    /** {@return the source address' low 64 bits} */
    public long sourceLo()
    {
        return u64(segment, offset + SOURCE_OFFSET + 8);
    }

    /** {@return the destination address' high 64 bits} */
    public long destinationHi()
    {
        return u64(segment, offset + DESTINATION_OFFSET);
    }

    /** {@return the destination address' low 64 bits} */
    public long destinationLo()
    {
        return u64(segment, offset + DESTINATION_OFFSET + 8);
    }

    /**
     * {@return true for the extension headers {@link PacketParser} walks past}
     *
     * @param nextHeader a next header value
     */
    public static boolean isWalkedExtension(final int nextHeader)
    {
        return nextHeader == IpProtocol.HOP_BY_HOP
            || nextHeader == IpProtocol.ROUTING
            || nextHeader == IpProtocol.DESTINATION_OPTIONS
            || nextHeader == IpProtocol.FRAGMENT;
    }

    /**
     * {@return the length in bytes of the extension header of type {@code type} at {@code at} in {@code segment}}
     *
     * @param segment the frame
     * @param at the extension header's offset
     * @param type its type (the previous header's next header)
     */
    public static int extensionLength(final MemorySegment segment, final long at, final int type)
    {
        return type == IpProtocol.FRAGMENT
            ? EXTENSION_MIN_LENGTH
            : (u8(segment, at + EXTENSION_LENGTH_OFFSET) + 1) << 3;
    }

    /**
     * {@return the fragment header's offset/flags word of the fragment header at {@code at}}
     *
     * @param segment the frame
     * @param at the fragment header's offset
     */
    public static int fragmentWord(final MemorySegment segment, final long at)
    {
        return u16(segment, at + FRAGMENT_OFFSET_FLAGS_OFFSET);
    }
}
