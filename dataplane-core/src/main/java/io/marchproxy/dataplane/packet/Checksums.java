package io.marchproxy.dataplane.packet;

import io.marchproxy.dataplane.net.IpFamily;

import java.lang.foreign.MemorySegment;

import static io.marchproxy.dataplane.packet.NetworkByteOrder.u16;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u32;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u64;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u8;

/**
 * The internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit big-endian words.
 *
 * <p>Sums are carried unfolded in a {@code long}: adding 32-bit (or 64-bit halves as 32-bit) words instead of 16-bit
 * ones is exact because 2^16 = 1 modulo 2^16 - 1, the modulus of ones' complement arithmetic, and {@link #fold}
 * brings any such sum back to 16 bits. A folded sum is 0 only when every word was 0, so a full computation and an
 * incremental update (RFC 1624 eqn. 3, {@code HC' = ~(~HC + ~m + m')}) give the same 16 bits.
 *
 * <p>Incremental updates come in two forms: {@code update*} for one field, and {@code delta*} plus
 * {@link #applyDelta} to fold several field changes into one update (addresses and ports of a NAT rewrite).
 * Everything here is static, allocation-free, and reads only the bytes it is told to.
 */
public final class Checksums
{
    private static final long LOW32 = 0xFFFF_FFFFL;

    private Checksums()
    {
    }

    /**
     * {@return the unfolded ones' complement sum of {@code length} bytes from {@code offset}, plus {@code initial}}
     *
     * @param segment the bytes
     * @param offset where they start
     * @param length how many (an odd last byte is padded with zero, as RFC 1071 says)
     * @param initial a sum to add to (a pseudo-header, an inverted stored checksum)
     */
    public static long sum(final MemorySegment segment, final long offset, final int length, final long initial)
    {
        long sum = initial;
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            final long word = u64(segment, offset + i);
            sum += (word >>> 32) + (word & LOW32);
        }
        if (i + 4 <= length)
        {
            sum += u32(segment, offset + i) & LOW32;
            i += 4;
        }
        if (i + 2 <= length)
        {
            sum += u16(segment, offset + i);
            i += 2;
        }
        if (i < length)
        {
            sum += u8(segment, offset + i) << 8;
        }
        return sum;
    }

    /**
     * Folds an unfolded sum to 16 bits with end-around carries.
     *
     * @param sum an unfolded sum
     * @return the sum in 16 bits; 0 only for a sum of 0
     */
    public static int fold(final long sum)
    {
        // 64 to 32 bits: the first addition carries at most one bit out of the low half, which the second takes back
        // in without carrying again (its low half is then at most 0xFFFF_FFFE).
        final long halves = (sum & LOW32) + (sum >>> 32);
        final int word = (int)halves + (int)(halves >>> 32);
        // 32 to 16 bits with the end-around carry in one addition: the high half of word + (word rotated by 16) is
        // hi + lo + carry(lo + hi), as Linux's csum_fold computes it.
        return (word + Integer.rotateLeft(word, 16)) >>> 16;
    }

    /**
     * {@return the checksum to store for an unfolded sum: the complement of its fold}
     *
     * @param sum an unfolded sum
     */
    public static int finish(final long sum)
    {
        return ~fold(sum) & 0xFFFF;
    }

    /**
     * {@return the internet checksum of {@code length} bytes (RFC 1071)}
     *
     * @param segment the bytes
     * @param offset where they start
     * @param length how many
     */
    public static int checksum(final MemorySegment segment, final long offset, final int length)
    {
        return finish(sum(segment, offset, length, 0));
    }

    /**
     * {@return true when the bytes, checksum field included, sum to 0xFFFF: the checksum is right}
     *
     * @param segment the bytes
     * @param offset where they start
     * @param length how many
     * @param initial a sum to add (the pseudo-header of a transport checksum, 0 for an IPv4 header)
     */
    public static boolean verifies(final MemorySegment segment, final long offset, final int length, final long initial)
    {
        return fold(sum(segment, offset, length, initial)) == 0xFFFF;
    }

    /**
     * {@return the IPv4 header checksum the header at {@code l3} should carry (its current checksum field is left out)}
     *
     * @param segment the frame
     * @param l3 the IPv4 header's offset
     * @param headerLength its length in bytes, options included
     */
    public static int ipv4Header(final MemorySegment segment, final long l3, final int headerLength)
    {
        final int stored = u16(segment, l3 + Ipv4Header.CHECKSUM_OFFSET);
        return finish(sum(segment, l3, headerLength, ~stored & 0xFFFF));
    }

    /**
     * {@return the pseudo-header sum of IPv4 (RFC 793/768): addresses, protocol and transport length}
     *
     * @param source the source address, the {@code int} of its network-order bytes
     * @param destination the destination address, likewise
     * @param protocol the IP protocol
     * @param length the transport header and payload length
     */
    public static long pseudoHeaderIpv4(final int source, final int destination, final int protocol, final int length)
    {
        return (source & LOW32) + (destination & LOW32) + protocol + length;
    }

    /**
     * {@return the pseudo-header sum of IPv6 (RFC 8200 section 8.1): addresses, upper-layer length and next header}
     *
     * @param sourceHi the source address' high 64 bits
     * @param sourceLo its low 64 bits
     * @param destinationHi the destination address' high 64 bits
     * @param destinationLo its low 64 bits
     * @param protocol the upper-layer protocol (next header)
     * @param length the upper-layer length
     */
    public static long pseudoHeaderIpv6(
        final long sourceHi,
        final long sourceLo,
        final long destinationHi,
        final long destinationLo,
        final int protocol,
        final int length)
    {
        return halves(sourceHi) + halves(sourceLo) + halves(destinationHi) + halves(destinationLo)
            + (length & LOW32) + protocol;
    }

    /**
     * Offset of the checksum field within the transport header of {@code protocol}: TCP 16, UDP 6, ICMP and ICMPv6 2;
     * -1 for a protocol without one the proxy knows.
     *
     * @param protocol an IP protocol number
     * @return the offset, or -1
     */
    public static int transportChecksumOffset(final int protocol)
    {
        switch (protocol)
        {
            case IpProtocol.TCP:
                return TcpHeader.CHECKSUM_OFFSET;
            case IpProtocol.UDP:
                return UdpHeader.CHECKSUM_OFFSET;
            case IpProtocol.ICMP:
            case IpProtocol.ICMPV6:
                return IcmpHeader.CHECKSUM_OFFSET;
            default:
                return -1;
        }
    }

    /**
     * The checksum the transport header at {@code l4} should carry, over {@code l4Length} bytes and, except for
     * ICMPv4, the pseudo-header built from the IP header at {@code l3} of {@code family}. The stored checksum field is
     * left out of the sum. For UDP the result is as computed: apply {@link #udpWire} before storing it. The caller
     * guarantees the headers are in the segment (a parsed packet's offsets do).
     *
     * @param segment the frame
     * @param family {@link io.marchproxy.dataplane.net.IpFamily#IPV4} or {@link
     * io.marchproxy.dataplane.net.IpFamily#IPV6}
     * @param l3 the IP header's offset
     * @param l4 the transport header's offset
     * @param l4Length the transport header and payload length
     * @param protocol the transport protocol
     * @return the checksum
     */
    public static int transport(
        final MemorySegment segment,
        final int family,
        final long l3,
        final long l4,
        final int l4Length,
        final int protocol)
    {
        final int fieldOffset = transportChecksumOffset(protocol);
        final int stored = u16(segment, l4 + fieldOffset);
        long sum = sum(segment, l4, l4Length, ~stored & 0xFFFF);
        if (family == IpFamily.IPV4)
        {
            if (protocol != IpProtocol.ICMP)
            {
                sum += pseudoHeaderIpv4(u32(segment, l3 + Ipv4Header.SOURCE_OFFSET),
                    u32(segment, l3 + Ipv4Header.DESTINATION_OFFSET), protocol, l4Length);
            }
        }
        else
        {
            sum += pseudoHeaderIpv6(u64(segment, l3 + Ipv6Header.SOURCE_OFFSET),
                u64(segment, l3 + Ipv6Header.SOURCE_OFFSET + 8), u64(segment, l3 + Ipv6Header.DESTINATION_OFFSET),
                u64(segment, l3 + Ipv6Header.DESTINATION_OFFSET + 8), protocol, l4Length);
        }
        return finish(sum);
    }

    /**
     * A UDP checksum as it goes on the wire: a computed 0 is sent as 0xFFFF, because over IPv4 a 0 in the field
     * means "no checksum" (RFC 768; RFC 8200 asks the same over IPv6).
     *
     * @param computed a computed UDP checksum
     * @return what the field carries
     */
    public static int udpWire(final int computed)
    {
        return computed == 0 ? 0xFFFF : computed;
    }

    /**
     * RFC 1624 eqn. 3 for one 16-bit field that changed from {@code oldWord} to {@code newWord}.
     *
     * @param checksum the checksum as it is
     * @param oldWord the field's old value
     * @param newWord its new value
     * @return the updated checksum
     */
    public static int update16(final int checksum, final int oldWord, final int newWord)
    {
        return applyDelta(checksum, delta16(oldWord, newWord));
    }

    /**
     * RFC 1624 eqn. 3 for a 32-bit field (an IPv4 address, two adjacent ports).
     *
     * @param checksum the checksum as it is
     * @param oldValue the field's old value
     * @param newValue its new value
     * @return the updated checksum
     */
    public static int update32(final int checksum, final int oldValue, final int newValue)
    {
        return applyDelta(checksum, delta32(oldValue, newValue));
    }

    /**
     * RFC 1624 eqn. 3 for a 128-bit field (an IPv6 address).
     *
     * @param checksum the checksum as it is
     * @param oldHi the old address' high 64 bits
     * @param oldLo its low 64 bits
     * @param newHi the new address' high 64 bits
     * @param newLo its low 64 bits
     * @return the updated checksum
     */
    public static int update128(
        final int checksum, final long oldHi, final long oldLo, final long newHi, final long newLo)
    {
        return applyDelta(checksum, delta128(oldHi, oldLo, newHi, newLo));
    }

    /**
     * {@return the unfolded {@code ~m + m'} of a 16-bit field; add several and pass the total to {@link #applyDelta}}
     *
     * @param oldWord the field's old value
     * @param newWord its new value
     */
    public static long delta16(final int oldWord, final int newWord)
    {
        return (~oldWord & 0xFFFF) + (newWord & 0xFFFF);
    }

    /**
     * {@return the unfolded {@code ~m + m'} of a 32-bit field}
     *
     * @param oldValue the field's old value
     * @param newValue its new value
     */
    public static long delta32(final int oldValue, final int newValue)
    {
        return (~oldValue & LOW32) + (newValue & LOW32);
    }

    /**
     * {@return the unfolded {@code ~m + m'} of a 128-bit field given as two {@code long}s}
     *
     * @param oldHi the old value's high 64 bits
     * @param oldLo its low 64 bits
     * @param newHi the new value's high 64 bits
     * @param newLo its low 64 bits
     */
    public static long delta128(final long oldHi, final long oldLo, final long newHi, final long newLo)
    {
        return halves(~oldHi) + halves(~oldLo) + halves(newHi) + halves(newLo);
    }

    /**
     * {@return {@code ~(~HC + delta)}: the checksum after the changes summed in {@code delta}}
     *
     * @param checksum the checksum as it is
     * @param delta the sum of the fields' deltas
     */
    public static int applyDelta(final int checksum, final long delta)
    {
        return finish((~checksum & 0xFFFF) + delta);
    }

    private static long halves(final long value)
    {
        return (value >>> 32) + (value & LOW32);
    }
}
