package io.marchproxy.ffm.linux;

import io.marchproxy.ffm.CHeader;

/** {@code <linux/if_link.h>}: XDP attach flags and attach modes, and the link attributes of RTM_*LINK messages. */
@CHeader("linux/if_link.h")
public final class IfLink
{
    /** Attach only if no program is attached in that mode (never replace another tool's program). */
    public static final int XDP_FLAGS_UPDATE_IF_NOEXIST = 1 << 0;
    /** Generic (skb) mode: after the kernel made an skb; works on every device. */
    public static final int XDP_FLAGS_SKB_MODE = 1 << 1;
    /** Driver (native) mode: in the driver, before an skb exists. */
    public static final int XDP_FLAGS_DRV_MODE = 1 << 2;
    /** Offloaded to the NIC. */
    public static final int XDP_FLAGS_HW_MODE = 1 << 3;
    /** Replace the program given in the attach options. */
    public static final int XDP_FLAGS_REPLACE = 1 << 4;
    /** All mode flags. */
    public static final int XDP_FLAGS_MODES = XDP_FLAGS_SKB_MODE | XDP_FLAGS_DRV_MODE | XDP_FLAGS_HW_MODE;
    /** All flags. */
    public static final int XDP_FLAGS_MASK = XDP_FLAGS_UPDATE_IF_NOEXIST | XDP_FLAGS_MODES | XDP_FLAGS_REPLACE;

    /** {@code bpf_xdp_query}: no program attached. */
    public static final int XDP_ATTACHED_NONE = 0;
    /** {@code bpf_xdp_query}: attached in driver mode. */
    public static final int XDP_ATTACHED_DRV = 1;
    /** {@code bpf_xdp_query}: attached in generic mode. */
    public static final int XDP_ATTACHED_SKB = 2;
    /** {@code bpf_xdp_query}: offloaded. */
    public static final int XDP_ATTACHED_HW = 3;
    /** {@code bpf_xdp_query}: attached in more than one mode. */
    public static final int XDP_ATTACHED_MULTI = 4;

    /* Link attributes (enum, rtattr types) after a struct ifinfomsg. */
    /** Link attribute: the link-layer (MAC) address. */
    public static final int IFLA_ADDRESS = 1;
    /** Link attribute: the link-layer broadcast address. */
    public static final int IFLA_BROADCAST = 2;
    /** Link attribute: the interface's name. */
    public static final int IFLA_IFNAME = 3;
    /** Link attribute: the MTU. */
    public static final int IFLA_MTU = 4;

    private IfLink()
    {
    }
}
