package io.marchproxy.ffm.linux;

import io.marchproxy.ffm.CHeader;

/** {@code <linux/if_link.h>}: XDP attach flags and attach modes, and the link attributes of RTM_*LINK messages. */
@CHeader("linux/if_link.h")
public final class IfLink
{
    public static final int XDP_FLAGS_UPDATE_IF_NOEXIST = 1 << 0;
    public static final int XDP_FLAGS_SKB_MODE = 1 << 1;
    public static final int XDP_FLAGS_DRV_MODE = 1 << 2;
    public static final int XDP_FLAGS_HW_MODE = 1 << 3;
    public static final int XDP_FLAGS_REPLACE = 1 << 4;
    public static final int XDP_FLAGS_MODES = XDP_FLAGS_SKB_MODE | XDP_FLAGS_DRV_MODE | XDP_FLAGS_HW_MODE;
    public static final int XDP_FLAGS_MASK = XDP_FLAGS_UPDATE_IF_NOEXIST | XDP_FLAGS_MODES | XDP_FLAGS_REPLACE;

    public static final int XDP_ATTACHED_NONE = 0;
    public static final int XDP_ATTACHED_DRV = 1;
    public static final int XDP_ATTACHED_SKB = 2;
    public static final int XDP_ATTACHED_HW = 3;
    public static final int XDP_ATTACHED_MULTI = 4;

    /* Link attributes (enum, rtattr types) after a struct ifinfomsg. */
    public static final int IFLA_ADDRESS = 1;
    public static final int IFLA_BROADCAST = 2;
    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_MTU = 4;

    private IfLink()
    {
    }
}
