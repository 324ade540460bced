package io.marchproxy.dataplane.xsk;

import io.marchproxy.ffm.linux.IfXdp;

/** How an {@link XskSocket} moves frames between the device and the UMEM. */
public enum BindMode
{
    /** Copy mode ({@code XDP_COPY}): works on every device, the kernel copies each frame. */
    COPY(IfXdp.XDP_COPY),
    /** Zero-copy ({@code XDP_ZEROCOPY}): the driver DMAs into the UMEM; fails where the driver lacks it (veth). */
    ZERO_COPY(IfXdp.XDP_ZEROCOPY),
    /** Zero-copy where the driver has it, otherwise copy (bind flags 0); {@link XskSocket#zeroCopy()} says which. */
    AUTO(0);

    private final int bindFlags;

    BindMode(final int bindFlags)
    {
        this.bindFlags = bindFlags;
    }

    /** {@return the {@code sxdp_flags} bits for this mode} */
    public int bindFlags()
    {
        return bindFlags;
    }
}
