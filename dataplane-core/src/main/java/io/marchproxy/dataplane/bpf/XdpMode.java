package io.marchproxy.dataplane.bpf;

import io.marchproxy.ffm.linux.IfLink;

/** How an XDP program is attached: in the driver (native) or on the generic skb path. */
public enum XdpMode
{
    /** Generic XDP, after the skb is built: works on every device, slower. */
    SKB(IfLink.XDP_FLAGS_SKB_MODE, IfLink.XDP_ATTACHED_SKB),
    /** Native XDP in the driver (veth supports it). */
    DRV(IfLink.XDP_FLAGS_DRV_MODE, IfLink.XDP_ATTACHED_DRV);

    private final int attachFlag;
    private final int attachedMode;

    XdpMode(final int attachFlag, final int attachedMode)
    {
        this.attachFlag = attachFlag;
        this.attachedMode = attachedMode;
    }

    /** {@return the {@code XDP_FLAGS_*_MODE} flag for {@code bpf_xdp_attach}} */
    public int attachFlag()
    {
        return attachFlag;
    }

    /** {@return the {@code XDP_ATTACHED_*} value {@code bpf_xdp_query} reports for this mode} */
    public int attachedMode()
    {
        return attachedMode;
    }

    /**
     * Parses {@code skb}/{@code generic} or {@code drv}/{@code native}, case-insensitively.
     *
     * @param text the mode's name
     * @return the mode
     * @throws IllegalArgumentException naming the accepted names
     */
    public static XdpMode parse(final String text)
    {
        return switch (text.toLowerCase(java.util.Locale.ROOT))
        {
            case "skb", "generic" -> SKB;
            case "drv", "native" -> DRV;
            default -> throw new IllegalArgumentException("unknown XDP mode '" + text + "': use skb or drv");
        };
    }
}
