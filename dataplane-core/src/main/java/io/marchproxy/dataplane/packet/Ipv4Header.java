package io.marchproxy.dataplane.packet;

import static io.marchproxy.dataplane.packet.NetworkByteOrder.putU16;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.putU32;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.putU8;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u16;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u32;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u8;

/**
 * Flyweight over an IPv4 header (RFC 791) with its options: the header length is {@link #ihl()} x 4 bytes. Addresses
 * are the {@code int} of their network-order bytes. Accessors read and write in place and check nothing;
 * {@link #isComplete()} says whether the header the IHL announces fits the wrapped length.
 */
public final class Ipv4Header extends HeaderFlyweight<Ipv4Header>
{
    /** Offset of the version (high nibble) and IHL (low nibble). */
    public static final int VERSION_IHL_OFFSET = 0;
    /** Offset of the type of service (DSCP, ECN). */
    public static final int TOS_OFFSET = 1;
    /** Offset of the total length: header and payload. */
    public static final int TOTAL_LENGTH_OFFSET = 2;
    /** Offset of the identification. */
    public static final int IDENTIFICATION_OFFSET = 4;
    /** Offset of the flags (top 3 bits) and the fragment offset. */
    public static final int FLAGS_FRAGMENT_OFFSET = 6;
    /** Offset of the TTL. */
    public static final int TTL_OFFSET = 8;
    /** Offset of the protocol. */
    public static final int PROTOCOL_OFFSET = 9;
    /** Offset of the header checksum. */
    public static final int CHECKSUM_OFFSET = 10;
    /** Offset of the source address. */
    public static final int SOURCE_OFFSET = 12;
    /** Offset of the destination address. */
    public static final int DESTINATION_OFFSET = 16;
    /** Length of a header without options. */
    public static final int MIN_LENGTH = 20;
    /** Length of a header with the most options. */
    public static final int MAX_LENGTH = 60;

    /** More-fragments flag in the flags/fragment-offset word. */
    public static final int FLAG_MORE_FRAGMENTS = 0x2000;
    /** Don't-fragment flag in the flags/fragment-offset word. */
    public static final int FLAG_DONT_FRAGMENT = 0x4000;
    /** The fragment offset bits (in units of 8 bytes) of the flags/fragment-offset word. */
    public static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    /** A flyweight pointing at nothing until {@link #wrap}. */
    public Ipv4Header()
    {
    }

    /** {@return true when 20 bytes fit, the version is 4, IHL >= 5 and the header with options fits} */
    public boolean isComplete()
    {
        return length >= MIN_LENGTH && version() == 4 && ihl() >= 5 && headerLength() <= length;
    }

    /** {@return the version field (4 for IPv4)} */
    public int version()
    {
        return u8(segment, offset + VERSION_IHL_OFFSET) >>> 4;
    }

    /** {@return header length in 32-bit words, 5..15} */
    public int ihl()
    {
        return u8(segment, offset + VERSION_IHL_OFFSET) & 0x0F;
    }

    /** {@return header length in bytes, options included} */
    public int headerLength()
    {
        return ihl() << 2;
    }

    /** {@return the total length field: header and payload, in bytes} */
    public int totalLength()
    {
        return u16(segment, offset + TOTAL_LENGTH_OFFSET);
    }

    /** {@return the flags and fragment offset word} */
    public int flagsAndFragmentOffset()
    {
        return u16(segment, offset + FLAGS_FRAGMENT_OFFSET);
    }

    /** {@return true for a fragment with a non-zero offset: it carries no transport header} */
    public boolean isLaterFragment()
    {
        return (flagsAndFragmentOffset() & FRAGMENT_OFFSET_MASK) != 0;
    }

    /** {@return true for the first fragment of a fragmented datagram (offset 0, more fragments follow)} */
    public boolean isFirstFragment()
    {
        final int word = flagsAndFragmentOffset();
        return (word & FRAGMENT_OFFSET_MASK) == 0 && (word & FLAG_MORE_FRAGMENTS) != 0;
    }

    /** {@return the TTL} */
    public int ttl()
    {
        return u8(segment, offset + TTL_OFFSET);
    }

    /**
     * Writes the TTL (the checksum is the caller's to update).
     *
     * @param ttl the new TTL
     */
    public void ttl(final int ttl)
    {
        putU8(segment, offset + TTL_OFFSET, ttl);
    }

    /** {@return the protocol of the payload} */
    public int protocol()
    {
        return u8(segment, offset + PROTOCOL_OFFSET);
    }

    /** {@return the header checksum field} */
    public int checksum()
    {
        return u16(segment, offset + CHECKSUM_OFFSET);
    }

    /**
     * Writes the header checksum field.
     *
     * @param checksum the checksum
     */
    public void checksum(final int checksum)
    {
        putU16(segment, offset + CHECKSUM_OFFSET, checksum);
    }

    /** {@return the source address, the {@code int} of its network-order bytes} */
    public int source()
    {
        return u32(segment, offset + SOURCE_OFFSET);
    }

    /**
     * Writes the source address (the checksums are the caller's to update).
     *
     * @param address the {@code int} of its network-order bytes
     */
    public void source(final int address)
    {
        putU32(segment, offset + SOURCE_OFFSET, address);
    }

    /** {@return the destination address, the {@code int} of its network-order bytes} */
    public int destination()
    {
        return u32(segment, offset + DESTINATION_OFFSET);
    }

    /**
     * Writes the destination address (the checksums are the caller's to update).
     *
     * @param address the {@code int} of its network-order bytes
     */
    public void destination(final int address)
    {
        putU32(segment, offset + DESTINATION_OFFSET, address);
    }
}
