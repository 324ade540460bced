package io.marchproxy.ffm.linux;

import io.marchproxy.ffm.CHeader;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code <linux/rtnetlink.h>}: the routing-netlink message types for links and neighbours, the route attribute header,
 * the link message header and the multicast group that carries neighbour changes.
 */
@CHeader("linux/rtnetlink.h")
public final class Rtnetlink
{
    /* Message types (nlmsg_type). */
    /** Message type: a link was created or changed (also the answer to {@link #RTM_GETLINK}). */
    public static final int RTM_NEWLINK = 16;
    /** Message type: a link was deleted. */
    public static final int RTM_DELLINK = 17;
    /** Message type: get links. */
    public static final int RTM_GETLINK = 18;
    /** Message type: a neighbour entry was created or changed (also the answer to {@link #RTM_GETNEIGH}). */
    public static final int RTM_NEWNEIGH = 28;
    /** Message type: a neighbour entry was deleted. */
    public static final int RTM_DELNEIGH = 29;
    /** Message type: get neighbour entries. */
    public static final int RTM_GETNEIGH = 30;

    /** The multicast group of neighbour changes, for {@code NETLINK_ADD_MEMBERSHIP} (enum rtnetlink_groups). */
    public static final int RTNLGRP_NEIGH = 3;
    /** The same group as a bit of {@code sockaddr_nl.nl_groups} (the older interface). */
    public static final int RTMGRP_NEIGH = 4;

    /** Route attributes start on 4-byte boundaries. */
    public static final int RTA_ALIGNTO = 4;

    /** {@code struct rtattr}: length (header included) and type of one attribute; the value follows the header. */
    public static final StructLayout rtattr = MemoryLayout.structLayout(
        JAVA_SHORT.withName("rta_len"),
        JAVA_SHORT.withName("rta_type")).withName("struct rtattr");

    /** {@code struct ifinfomsg}: the fixed part of RTM_*LINK messages; IFLA_* attributes follow. */
    public static final StructLayout ifinfomsg = MemoryLayout.structLayout(
        JAVA_BYTE.withName("ifi_family"),
        JAVA_BYTE.withName("__ifi_pad"),
        JAVA_SHORT.withName("ifi_type"),
        JAVA_INT.withName("ifi_index"),
        JAVA_INT.withName("ifi_flags"),
        JAVA_INT.withName("ifi_change")).withName("struct ifinfomsg");

    /** Offset of {@code rta_len} in {@link #rtattr}. */
    public static final long rtattr_rta_len = rtattr.byteOffset(groupElement("rta_len"));
    /** Offset of {@code rta_type} in {@link #rtattr}. */
    public static final long rtattr_rta_type = rtattr.byteOffset(groupElement("rta_type"));

    /** Offset of {@code ifi_family} in {@link #ifinfomsg}. */
    public static final long ifinfomsg_ifi_family = ifinfomsg.byteOffset(groupElement("ifi_family"));
    /** Offset of {@code ifi_type} in {@link #ifinfomsg}. */
    public static final long ifinfomsg_ifi_type = ifinfomsg.byteOffset(groupElement("ifi_type"));
    /** Offset of {@code ifi_index} in {@link #ifinfomsg}. */
    public static final long ifinfomsg_ifi_index = ifinfomsg.byteOffset(groupElement("ifi_index"));
    /** Offset of {@code ifi_flags} in {@link #ifinfomsg}. */
    public static final long ifinfomsg_ifi_flags = ifinfomsg.byteOffset(groupElement("ifi_flags"));
    /** Offset of {@code ifi_change} in {@link #ifinfomsg}. */
    public static final long ifinfomsg_ifi_change = ifinfomsg.byteOffset(groupElement("ifi_change"));

    private Rtnetlink()
    {
    }

    /**
     * {@code RTA_ALIGN(len)}: {@code len} rounded up to the attribute alignment.
     *
     * @param len a length in bytes
     * @return {@code len} rounded up to the attribute alignment
     */
    public static int RTA_ALIGN(final int len)
    {
        return (len + RTA_ALIGNTO - 1) & ~(RTA_ALIGNTO - 1);
    }
}
