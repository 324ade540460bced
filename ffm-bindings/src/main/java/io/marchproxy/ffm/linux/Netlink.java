package io.marchproxy.ffm.linux;

import io.marchproxy.ffm.CHeader;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code <linux/netlink.h>}: netlink socket addresses, the message header every netlink message starts with, its
 * flags and control types, error (ACK) messages with their extended-ACK attributes, and the socket options at level
 * {@code SOL_NETLINK}. The socket itself is {@code socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)} from
 * {@link io.marchproxy.ffm.libc.SysSocket}.
 */
@CHeader("linux/netlink.h")
public final class Netlink
{
    /* Protocols (the third argument of socket). */
    /** Routing and link protocol: interfaces, addresses, routes, neighbours. */
    public static final int NETLINK_ROUTE = 0;

    /* Request flags (nlmsg_flags). */
    /** Flag: a request. */
    public static final int NLM_F_REQUEST = 0x01;
    /** Flag: one part of a multipart answer, ended by {@link #NLMSG_DONE}. */
    public static final int NLM_F_MULTI = 0x02;
    /** Flag: ask for an acknowledgement. */
    public static final int NLM_F_ACK = 0x04;
    /** Flag: echo the request. */
    public static final int NLM_F_ECHO = 0x08;
    /** Flag: the dump was inconsistent (changed while it ran). */
    public static final int NLM_F_DUMP_INTR = 0x10;
    /** Flag: the dump was filtered as asked. */
    public static final int NLM_F_DUMP_FILTERED = 0x20;

    /* Modifiers of GET requests. */
    /** GET modifier: the whole table. */
    public static final int NLM_F_ROOT = 0x100;
    /** GET modifier: every entry that matches. */
    public static final int NLM_F_MATCH = 0x200;
    /** GET modifier: an atomic snapshot. */
    public static final int NLM_F_ATOMIC = 0x400;
    /** GET modifier: a dump ({@link #NLM_F_ROOT} and {@link #NLM_F_MATCH}). */
    public static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;

    /* Modifiers of NEW requests. */
    /** NEW modifier: replace an existing object. */
    public static final int NLM_F_REPLACE = 0x100;
    /** NEW modifier: do not touch an existing object. */
    public static final int NLM_F_EXCL = 0x200;
    /** NEW modifier: create it if it does not exist. */
    public static final int NLM_F_CREATE = 0x400;
    /** NEW modifier: add at the end of the list. */
    public static final int NLM_F_APPEND = 0x800;

    /* Flags of an NLMSG_ERROR message. */
    /** Error message flag: the request was left out of the answer. */
    public static final int NLM_F_CAPPED = 0x100;
    /** Error message flag: extended-ACK attributes follow. */
    public static final int NLM_F_ACK_TLVS = 0x200;

    /* Control message types (nlmsg_type below NLMSG_MIN_TYPE). */
    /** Message type: nothing. */
    public static final int NLMSG_NOOP = 0x1;
    /** Message type: an error or an acknowledgement ({@link #nlmsgerr}). */
    public static final int NLMSG_ERROR = 0x2;
    /** Message type: the end of a multipart answer. */
    public static final int NLMSG_DONE = 0x3;
    /** Message type: data lost. */
    public static final int NLMSG_OVERRUN = 0x4;
    /** The first type of a protocol's own messages. */
    public static final int NLMSG_MIN_TYPE = 0x10;

    /** Messages and their payloads start on 4-byte boundaries. */
    public static final int NLMSG_ALIGNTO = 4;
    /** The aligned size of {@code struct nlmsghdr}: where a message's payload starts. */
    public static final int NLMSG_HDRLEN = 16;

    /* Socket options at level SOL_NETLINK. */
    /** Socket option: join a multicast group. */
    public static final int NETLINK_ADD_MEMBERSHIP = 1;
    /** Socket option: leave a multicast group. */
    public static final int NETLINK_DROP_MEMBERSHIP = 2;
    /** Socket option: do not report ENOBUFS when the receive buffer overflowed. */
    public static final int NETLINK_NO_ENOBUFS = 5;
    /** Socket option: acknowledgements carry only the request's header. */
    public static final int NETLINK_CAP_ACK = 10;
    /** Socket option: extended acknowledgements (error messages and offsets). */
    public static final int NETLINK_EXT_ACK = 11;
    /** Socket option: strict checking of dump requests. */
    public static final int NETLINK_GET_STRICT_CHK = 12;

    /* Attribute type bits: the type proper is nla_type & NLA_TYPE_MASK. */
    /** Attribute type bit: a nested attribute. */
    public static final int NLA_F_NESTED = 1 << 15;
    /** Attribute type bit: the value is in network byte order. */
    public static final int NLA_F_NET_BYTEORDER = 1 << 14;
    /** The attribute type proper: {@code nla_type & NLA_TYPE_MASK}. */
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER);
    /** Attributes start on 4-byte boundaries. */
    public static final int NLA_ALIGNTO = 4;
    /** The aligned size of {@code struct nlattr}: where an attribute's value starts. */
    public static final int NLA_HDRLEN = 4;

    /* Extended-ACK attributes after a struct nlmsgerr (enum nlmsgerr_attrs). */
    /** Extended-ACK attribute: the error message, a C string. */
    public static final int NLMSGERR_ATTR_MSG = 1;
    /** Extended-ACK attribute: the offset of the offending attribute in the request. */
    public static final int NLMSGERR_ATTR_OFFS = 2;

    /** {@code struct sockaddr_nl}: a netlink port; {@code nl_pid} 0 is the kernel (or "assign one" in bind). */
    public static final StructLayout sockaddr_nl = MemoryLayout.structLayout(
        JAVA_SHORT.withName("nl_family"),
        JAVA_SHORT.withName("nl_pad"),
        JAVA_INT.withName("nl_pid"),
        JAVA_INT.withName("nl_groups")).withName("struct sockaddr_nl");

    /** {@code struct nlmsghdr}: length (header included), type, flags, sequence number and sender port. */
    public static final StructLayout nlmsghdr = header("struct nlmsghdr");

    /** {@code struct nlmsgerr}: the payload of NLMSG_ERROR, a negated errno (0 for an ACK) and the request's header. */
    public static final StructLayout nlmsgerr = MemoryLayout.structLayout(
        JAVA_INT.withName("error"),
        header("msg")).withName("struct nlmsgerr");

    /** {@code struct nlattr}: the attribute header of extended ACKs (the same shape as rtnetlink's rtattr). */
    public static final StructLayout nlattr = MemoryLayout.structLayout(
        JAVA_SHORT.withName("nla_len"),
        JAVA_SHORT.withName("nla_type")).withName("struct nlattr");

    /** Offset of {@code nl_family} in {@link #sockaddr_nl}. */
    public static final long sockaddr_nl_nl_family = sockaddr_nl.byteOffset(groupElement("nl_family"));
    /** Offset of {@code nl_pid} in {@link #sockaddr_nl}. */
    public static final long sockaddr_nl_nl_pid = sockaddr_nl.byteOffset(groupElement("nl_pid"));
    /** Offset of {@code nl_groups} in {@link #sockaddr_nl}. */
    public static final long sockaddr_nl_nl_groups = sockaddr_nl.byteOffset(groupElement("nl_groups"));

    /** Offset of {@code nlmsg_len} in {@link #nlmsghdr}. */
    public static final long nlmsghdr_nlmsg_len = nlmsghdr.byteOffset(groupElement("nlmsg_len"));
    /** Offset of {@code nlmsg_type} in {@link #nlmsghdr}. */
    public static final long nlmsghdr_nlmsg_type = nlmsghdr.byteOffset(groupElement("nlmsg_type"));
    /** Offset of {@code nlmsg_flags} in {@link #nlmsghdr}. */
    public static final long nlmsghdr_nlmsg_flags = nlmsghdr.byteOffset(groupElement("nlmsg_flags"));
    /** Offset of {@code nlmsg_seq} in {@link #nlmsghdr}. */
    public static final long nlmsghdr_nlmsg_seq = nlmsghdr.byteOffset(groupElement("nlmsg_seq"));
    /** Offset of {@code nlmsg_pid} in {@link #nlmsghdr}. */
    public static final long nlmsghdr_nlmsg_pid = nlmsghdr.byteOffset(groupElement("nlmsg_pid"));

    /** Offset of {@code error} in {@link #nlmsgerr}. */
    public static final long nlmsgerr_error = nlmsgerr.byteOffset(groupElement("error"));
    /** Offset of {@code msg} in {@link #nlmsgerr}. */
    public static final long nlmsgerr_msg = nlmsgerr.byteOffset(groupElement("msg"));

    /** Offset of {@code nla_len} in {@link #nlattr}. */
    public static final long nlattr_nla_len = nlattr.byteOffset(groupElement("nla_len"));
    /** Offset of {@code nla_type} in {@link #nlattr}. */
    public static final long nlattr_nla_type = nlattr.byteOffset(groupElement("nla_type"));

    private Netlink()
    {
    }

    /**
     * {@code NLMSG_ALIGN(len)}: {@code len} rounded up to the netlink alignment.
     *
     * @param len a length in bytes
     * @return {@code len} rounded up to {@link #NLMSG_ALIGNTO}
     */
    public static int NLMSG_ALIGN(final int len)
    {
        return (len + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1);
    }

    private static StructLayout header(final String name)
    {
        return MemoryLayout.structLayout(
            JAVA_INT.withName("nlmsg_len"),
            JAVA_SHORT.withName("nlmsg_type"),
            JAVA_SHORT.withName("nlmsg_flags"),
            JAVA_INT.withName("nlmsg_seq"),
            JAVA_INT.withName("nlmsg_pid")).withName(name);
    }
}
