package io.marchproxy.dataplane.netlink;

import io.marchproxy.ffm.linux.Netlink;
import io.marchproxy.ffm.linux.Rtnetlink;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** Walks the attributes (rtattr/nlattr: length, type, value) between two offsets of a reply buffer. */
final class NetlinkAttributes
{
    /** Receives one attribute: its type (flag bits cleared) and where its value lies in the buffer. */
    @FunctionalInterface
    interface Visitor
    {
        void attribute(int type, long valueOffset, int valueLength);
    }

    private NetlinkAttributes()
    {
    }

    /** Visits every well-formed attribute in {@code [start, end)}; stops at the first malformed one. */
    static void forEach(final MemorySegment buffer, final long start, final long end, final Visitor visitor)
    {
        final int headerLength = (int)Rtnetlink.rtattr.byteSize();
        long offset = start;
        while (offset + headerLength <= end)
        {
            final int length = Short.toUnsignedInt(buffer.get(JAVA_SHORT, offset + Rtnetlink.rtattr_rta_len));
            if (length < headerLength || offset + length > end)
            {
                return;
            }
            final int type = Short.toUnsignedInt(buffer.get(JAVA_SHORT, offset + Rtnetlink.rtattr_rta_type)) &
                Netlink.NLA_TYPE_MASK;
            visitor.attribute(type, offset + headerLength, length - headerLength);
            offset += Rtnetlink.RTA_ALIGN(length);
        }
    }

    /** The value at {@code offset} as a new array. */
    static byte[] bytes(final MemorySegment buffer, final long offset, final int length)
    {
        final byte[] value = new byte[length];
        MemorySegment.copy(buffer, JAVA_BYTE, offset, value, 0, length);
        return value;
    }

    /** A NUL-terminated string value (attribute strings carry their terminator). */
    static String string(final MemorySegment buffer, final long offset, final int length)
    {
        int end = 0;
        while (end < length && buffer.get(JAVA_BYTE, offset + end) != 0)
        {
            end++;
        }
        return new String(bytes(buffer, offset, end), java.nio.charset.StandardCharsets.UTF_8);
    }
}
