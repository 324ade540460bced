package io.marchproxy.dataplane.conntrack;

import io.marchproxy.dataplane.net.IpFamily;

/**
 * Layout of a flow record and of the index, in one place. A record (80 bytes for IPv4, 128 for IPv6):
 *
 * <pre>
 *   0  u8   state code (0: free)            1  u8  IP protocol
 *   2  u8   FIN seen: bit 0 original, bit 1 reply    3  u8  the owner's marks (FlowTable#marks)
 *   4  i32  service index, or the next free record while free
 *   8  i32  backend index                  12  i32 IPv4: checksum deltas of the original direction's rewrite
 *  16  i64  last seen (caller's nanos)
 *  24  i64  packets original     32 i64 bytes original
 *  40  i64  packets reply        48 i64 bytes reply
 *  56       tuple original: source port u16, destination port u16, source address, destination address
 *  56 + T   tuple reply, the same (T = 4 + 2 x address bytes)
 * </pre>
 *
 * Addresses are stored as the hot path carries them: an IPv4 address as its {@code int}, an IPv6 address as two
 * {@code long}s (hi, lo), all little-endian (the table is private memory, never shared with the kernel; a fixed order
 * lets the table read adjacent fields as one word on any host, and costs nothing on x86 and ARM). The checksum deltas
 * of an IPv4 record are what the full-NAT rewrite of an original packet adds to its checksums (RFC 1624: the sum of
 * {@code ~old + new} over the changed 16-bit words, folded): the addresses' delta in the low 16 bits (the IP header
 * and the pseudo-header both hold the addresses), the ports' in the high 16. A reply's rewrite changes the same
 * fields back, so its deltas are the complements, and are not stored. An
 * index slot is a {@code long}: 0 when empty, else the low 32 bits of the key's hash (which give its home slot)
 * above {@code (record << 1 | direction) + 1}.
 */
final class FlowLayout
{
    static final int STATE_OFFSET = 0;
    static final int PROTOCOL_OFFSET = 1;
    static final int FIN_OFFSET = 2;
    static final int MARKS_OFFSET = 3;
    static final int SERVICE_OFFSET = 4;
    static final int BACKEND_OFFSET = 8;
    static final int CHECKSUM_DELTAS_OFFSET = 12;
    static final int LAST_SEEN_OFFSET = 16;
    static final int COUNTERS_OFFSET = 24;
    static final int TUPLES_OFFSET = 56;
    /** Within a tuple. */
    static final int PORTS_OFFSET = 0;
    static final int SOURCE_OFFSET = 4;

    static final int DIRECTION_COUNTER_BYTES = 16;
    static final int SLOT_BYTES = 8;

    final int family;
    final int addressBytes;
    final int tupleBytes;
    final int recordBytes;

    FlowLayout(final int family)
    {
        if (!IpFamily.isValid(family))
        {
            throw new IllegalArgumentException("family must be 4 or 6: " + family);
        }
        this.family = family;
        this.addressBytes = family == IpFamily.IPV4 ? 4 : 16;
        this.tupleBytes = SOURCE_OFFSET + 2 * addressBytes;
        this.recordBytes = TUPLES_OFFSET + 2 * tupleBytes;
    }

    /** Offset of the tuple of {@code direction} (0 original, 1 reply) within a record. */
    int tuple(final int direction)
    {
        return TUPLES_OFFSET + direction * tupleBytes;
    }

    /** Offset of the destination address within a tuple. */
    int destination()
    {
        return SOURCE_OFFSET + addressBytes;
    }

    /** Offset of the packet counter of {@code direction}; its byte counter follows at + 8. */
    static int packets(final int direction)
    {
        return COUNTERS_OFFSET + direction * DIRECTION_COUNTER_BYTES;
    }

    /** Index slots for {@code maxFlows}: two keys per flow at a load factor of at most one half, a power of two. */
    static long slots(final int maxFlows)
    {
        return Long.highestOneBit(4L * maxFlows - 1) << 1;
    }
}
