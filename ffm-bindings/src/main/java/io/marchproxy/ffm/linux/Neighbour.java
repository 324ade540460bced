package io.marchproxy.ffm.linux;

import io.marchproxy.ffm.CHeader;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code <linux/neighbour.h>}: the fixed part of RTM_*NEIGH messages, their NDA_* attributes, the NTF_* flags and the
 * NUD_* states of a neighbour (ARP or NDP) entry.
 */
@CHeader("linux/neighbour.h")
public final class Neighbour
{
    /* Attributes (enum, rtattr types) after a struct ndmsg. */
    /** Attribute: none. */
    public static final int NDA_UNSPEC = 0;
    /** Attribute: the neighbour's network address. */
    public static final int NDA_DST = 1;
    /** Attribute: its link-layer address. */
    public static final int NDA_LLADDR = 2;
    /** Attribute: cache information (timing). */
    public static final int NDA_CACHEINFO = 3;
    /** Attribute: probes sent. */
    public static final int NDA_PROBES = 4;
    /** Attribute: the interface index. */
    public static final int NDA_IFINDEX = 8;
    /** Attribute: the master device. */
    public static final int NDA_MASTER = 9;
    /** Attribute: the protocol that installed the entry. */
    public static final int NDA_PROTOCOL = 12;

    /* Entry flags (ndm_flags). */
    /** Flag: the entry is in use (refreshes it). */
    public static final int NTF_USE = 1 << 0;
    /** Flag: the device's own entry. */
    public static final int NTF_SELF = 1 << 1;
    /** Flag: the master's entry. */
    public static final int NTF_MASTER = 1 << 2;
    /** Flag: a proxy entry. */
    public static final int NTF_PROXY = 1 << 3;
    /** Flag: learned externally. */
    public static final int NTF_EXT_LEARNED = 1 << 4;
    /** Flag: offloaded to the device. */
    public static final int NTF_OFFLOADED = 1 << 5;
    /** Flag: sticky (not to be moved). */
    public static final int NTF_STICKY = 1 << 6;
    /** Flag: the neighbour is a router. */
    public static final int NTF_ROUTER = 1 << 7;

    /* Entry states (ndm_state): one at a time, as bits so the kernel can test sets of them. */
    /** State: none yet. */
    public static final int NUD_NONE = 0x00;
    /** State: resolving (probes sent, no answer yet). */
    public static final int NUD_INCOMPLETE = 0x01;
    /** State: confirmed reachable recently. */
    public static final int NUD_REACHABLE = 0x02;
    /** State: known but not confirmed recently; usable until confirmation is needed. */
    public static final int NUD_STALE = 0x04;
    /** State: waiting before probing a stale entry. */
    public static final int NUD_DELAY = 0x08;
    /** State: probing a stale entry. */
    public static final int NUD_PROBE = 0x10;
    /** State: resolution failed. */
    public static final int NUD_FAILED = 0x20;
    /** State: no resolution needed (e.g. point-to-point). */
    public static final int NUD_NOARP = 0x40;
    /** State: set by an administrator; never expires. */
    public static final int NUD_PERMANENT = 0x80;

    /** {@code struct ndmsg}: family, interface, state, flags and type of one neighbour entry. */
    public static final StructLayout ndmsg = MemoryLayout.structLayout(
        JAVA_BYTE.withName("ndm_family"),
        JAVA_BYTE.withName("ndm_pad1"),
        JAVA_SHORT.withName("ndm_pad2"),
        JAVA_INT.withName("ndm_ifindex"),
        JAVA_SHORT.withName("ndm_state"),
        JAVA_BYTE.withName("ndm_flags"),
        JAVA_BYTE.withName("ndm_type")).withName("struct ndmsg");

    /** Offset of {@code ndm_family} in {@link #ndmsg}. */
    public static final long ndmsg_ndm_family = ndmsg.byteOffset(groupElement("ndm_family"));
    /** Offset of {@code ndm_ifindex} in {@link #ndmsg}. */
    public static final long ndmsg_ndm_ifindex = ndmsg.byteOffset(groupElement("ndm_ifindex"));
    /** Offset of {@code ndm_state} in {@link #ndmsg}. */
    public static final long ndmsg_ndm_state = ndmsg.byteOffset(groupElement("ndm_state"));
    /** Offset of {@code ndm_flags} in {@link #ndmsg}. */
    public static final long ndmsg_ndm_flags = ndmsg.byteOffset(groupElement("ndm_flags"));
    /** Offset of {@code ndm_type} in {@link #ndmsg}. */
    public static final long ndmsg_ndm_type = ndmsg.byteOffset(groupElement("ndm_type"));

    private Neighbour()
    {
    }
}
