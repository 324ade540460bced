package io.marchproxy.dataplane.acl;

import io.marchproxy.dataplane.net.IpFamily;
import io.marchproxy.dataplane.net.IpPrefix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.marchproxy.dataplane.packet.NetworkByteOrder.U32;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.U64;

/**
 * The bytes of an {@link AccessEntry} in the eBPF maps: one {@code BPF_MAP_TYPE_LPM_TRIE} per family (flag
 * {@code BPF_F_NO_PREALLOC}, as the kernel requires for LPM tries) with these C types:
 *
 * <pre>{@code
 * struct access_key_v4 { __u32 prefixlen; __u32 service; __u8 addr[4]; };   // 12 bytes
 * struct access_key_v6 { __u32 prefixlen; __u32 service; __u8 addr[16]; };  // 24 bytes
 * struct access_segment { __u16 first_port; __u16 last_port; __u8 protocol; __u8 action; __u16 pad; };
 * struct access_value { __u8 count; __u8 miss_action; __u8 overflow; __u8 pad;
 *                       struct access_segment segments[8]; };               // 68 bytes
 * }</pre>
 *
 * <p>{@code prefixlen} is 32 + the source prefix length, so the LPM trie always matches the whole service word and then
 * the address bits; the service's byte order is therefore free and is host order, like {@code prefixlen} (which the
 * kernel reads in host order). The address is in network order, masked to the prefix. Ports are in host order (XDP
 * compares them with {@code bpf_ntohs} of the packet's port); actions are {@link AccessAction#code()} (1 allow,
 * 2 deny). An overflowing entry is written with {@code overflow = 1}, {@code count = 0} and no segments.
 *
 * <p>What the XDP program does for a TCP/UDP packet of a new flow to service s from address a, port p, protocol t:
 * look up {@code {32 + bits(a), s, a}}; no entry: the default action (a global the loader sets); {@code overflow}:
 * hand the packet to user space, which calls {@link AccessPolicy#decide}; otherwise the action of the first of the
 * {@code count} segments with {@code protocol == t && first_port <= p && p <= last_port}, else {@code miss_action}.
 * Other protocols get the default action.
 */
public final class AccessTrieLayout
{
    public static final int KEY_PREFIX_LENGTH_OFFSET = 0;
    public static final int KEY_SERVICE_OFFSET = 4;
    public static final int KEY_ADDRESS_OFFSET = 8;
    public static final int KEY_SIZE_V4 = 12;
    public static final int KEY_SIZE_V6 = 24;
    /** Bits of {@code prefixlen} before the address: the service word. */
    public static final int KEY_FIXED_BITS = 32;

    public static final int VALUE_COUNT_OFFSET = 0;
    public static final int VALUE_MISS_ACTION_OFFSET = 1;
    public static final int VALUE_OVERFLOW_OFFSET = 2;
    public static final int VALUE_SEGMENTS_OFFSET = 4;
    public static final int SEGMENT_FIRST_PORT_OFFSET = 0;
    public static final int SEGMENT_LAST_PORT_OFFSET = 2;
    public static final int SEGMENT_PROTOCOL_OFFSET = 4;
    public static final int SEGMENT_ACTION_OFFSET = 5;
    public static final int SEGMENT_SIZE = 8;
    public static final int VALUE_SIZE = VALUE_SEGMENTS_OFFSET + AccessEntry.MAX_SEGMENTS * SEGMENT_SIZE;

    private static final ValueLayout.OfInt HOST_U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort HOST_U16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    private AccessTrieLayout()
    {
    }

    /** Key bytes for entries of {@code family}: 12 or 24. */
    public static int keySize(final int family)
    {
        return family == IpFamily.IPV4 ? KEY_SIZE_V4 : KEY_SIZE_V6;
    }

    /** Writes the trie key of {@code entry} at {@code offset} ({@link #keySize} bytes). */
    public static void writeKey(final MemorySegment segment, final long offset, final AccessEntry entry)
    {
        final IpPrefix source = entry.source();
        segment.set(HOST_U32, offset + KEY_PREFIX_LENGTH_OFFSET, KEY_FIXED_BITS + source.length());
        segment.set(HOST_U32, offset + KEY_SERVICE_OFFSET, entry.serviceIndex());
        if (source.family() == IpFamily.IPV4)
        {
            segment.set(U32, offset + KEY_ADDRESS_OFFSET, (int)source.lo());
        }
        else
        {
            segment.set(U64, offset + KEY_ADDRESS_OFFSET, source.hi());
            segment.set(U64, offset + KEY_ADDRESS_OFFSET + 8, source.lo());
        }
    }

    /** Writes the value of {@code entry} at {@code offset} ({@link #VALUE_SIZE} bytes, unused segments zeroed). */
    public static void writeValue(final MemorySegment segment, final long offset, final AccessEntry entry)
    {
        segment.asSlice(offset, VALUE_SIZE).fill((byte)0);
        final boolean overflow = entry.overflow();
        segment.set(ValueLayout.JAVA_BYTE, offset + VALUE_COUNT_OFFSET,
            (byte)(overflow ? 0 : entry.segments().size()));
        segment.set(ValueLayout.JAVA_BYTE, offset + VALUE_MISS_ACTION_OFFSET, (byte)entry.missAction().code());
        segment.set(ValueLayout.JAVA_BYTE, offset + VALUE_OVERFLOW_OFFSET, (byte)(overflow ? 1 : 0));
        if (overflow)
        {
            return;
        }
        for (int i = 0; i < entry.segments().size(); i++)
        {
            final PortSegment portSegment = entry.segments().get(i);
            final long at = offset + VALUE_SEGMENTS_OFFSET + (long)i * SEGMENT_SIZE;
            segment.set(HOST_U16, at + SEGMENT_FIRST_PORT_OFFSET, (short)portSegment.ports().first());
            segment.set(HOST_U16, at + SEGMENT_LAST_PORT_OFFSET, (short)portSegment.ports().last());
            segment.set(ValueLayout.JAVA_BYTE, at + SEGMENT_PROTOCOL_OFFSET,
                (byte)portSegment.protocol().number());
            segment.set(ValueLayout.JAVA_BYTE, at + SEGMENT_ACTION_OFFSET, (byte)portSegment.action().code());
        }
    }
}
