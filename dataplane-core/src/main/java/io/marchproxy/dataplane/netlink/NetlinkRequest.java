package io.marchproxy.dataplane.netlink;

import io.marchproxy.ffm.linux.Netlink;
import io.marchproxy.ffm.linux.Rtnetlink;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Writes one routing-netlink request into a buffer: the {@code nlmsghdr}, the message's fixed header (e.g.
 * {@code ndmsg}) and attributes, with the length filled in as it grows. Reused for every request of one socket.
 */
final class NetlinkRequest
{
    private final MemorySegment buffer;
    private long fixedHeader;
    private long length;

    NetlinkRequest(final MemorySegment buffer)
    {
        this.buffer = buffer;
    }

    /** Starts a message of {@code type} whose fixed header is {@code fixed}, zeroed; any previous message is gone. */
    NetlinkRequest begin(final int type, final int flags, final int sequence, final StructLayout fixed)
    {
        fixedHeader = Netlink.NLMSG_HDRLEN;
        length = Netlink.NLMSG_HDRLEN + Netlink.NLMSG_ALIGN((int)fixed.byteSize());
        buffer.asSlice(0, length).fill((byte)0);
        buffer.set(JAVA_SHORT, Netlink.nlmsghdr_nlmsg_type, (short)type);
        buffer.set(JAVA_SHORT, Netlink.nlmsghdr_nlmsg_flags, (short)flags);
        buffer.set(JAVA_INT, Netlink.nlmsghdr_nlmsg_seq, sequence);
        updateLength();
        return this;
    }

    NetlinkRequest fixedByte(final long offset, final int value)
    {
        buffer.set(JAVA_BYTE, fixedHeader + offset, (byte)value);
        return this;
    }

    NetlinkRequest fixedInt(final long offset, final int value)
    {
        buffer.set(JAVA_INT, fixedHeader + offset, value);
        return this;
    }

    NetlinkRequest attribute(final int type, final byte[] value)
    {
        final long header = reserveAttribute(type, value.length);
        MemorySegment.copy(value, 0, buffer, JAVA_BYTE, header + Rtnetlink.rtattr.byteSize(), value.length);
        return this;
    }

    /** A {@code u32} attribute in host order, as the kernel's {@code nla_get_u32} reads it. */
    NetlinkRequest attributeInt(final int type, final int value)
    {
        final long header = reserveAttribute(type, Integer.BYTES);
        buffer.set(JAVA_INT, header + Rtnetlink.rtattr.byteSize(), value);
        return this;
    }

    int sequence()
    {
        return buffer.get(JAVA_INT, Netlink.nlmsghdr_nlmsg_seq);
    }

    MemorySegment segment()
    {
        return buffer;
    }

    long length()
    {
        return length;
    }

    private long reserveAttribute(final int type, final int valueLength)
    {
        final int attributeLength = (int)Rtnetlink.rtattr.byteSize() + valueLength;
        final long header = length;
        final long end = header + Rtnetlink.RTA_ALIGN(attributeLength);
        if (end > buffer.byteSize())
        {
            throw new IllegalStateException("netlink request larger than its " + buffer.byteSize() + "-byte buffer");
        }
        buffer.asSlice(header, end - header).fill((byte)0);
        buffer.set(JAVA_SHORT, header + Rtnetlink.rtattr_rta_len, (short)attributeLength);
        buffer.set(JAVA_SHORT, header + Rtnetlink.rtattr_rta_type, (short)type);
        length = end;
        updateLength();
        return header;
    }

    private void updateLength()
    {
        buffer.set(JAVA_INT, Netlink.nlmsghdr_nlmsg_len, (int)length);
    }
}
