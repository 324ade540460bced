package io.marchproxy.dataplane.bpf;

import io.marchproxy.dataplane.netns.NetNamespace;
import io.marchproxy.ffm.ErrnoException;
import io.marchproxy.ffm.libbpf.Libbpf;
import io.marchproxy.ffm.libc.Errno;
import io.marchproxy.ffm.linux.IfLink;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An XDP program attached to one interface in one mode; {@link #close()} detaches it. Attach and detach must run in the
 * network namespace of the interface (they talk netlink from the calling thread).
 */
public final class XdpAttachment implements AutoCloseable
{
    private final int ifindex;
    private final XdpMode mode;
    private final long namespaceId;
    private volatile boolean attached;

    private XdpAttachment(final int ifindex, final XdpMode mode, final long namespaceId)
    {
        this.ifindex = ifindex;
        this.mode = mode;
        this.namespaceId = namespaceId;
        this.attached = true;
    }

    /**
     * Attaches {@code progFd} to {@code ifindex}, failing if a program is already attached in that mode
     * ({@code XDP_FLAGS_UPDATE_IF_NOEXIST}), so another tool's program is never silently replaced.
     *
     * @param ifindex the interface, in the calling thread's namespace
     * @param progFd the program's descriptor
     * @param mode driver or generic mode
     * @return the attachment
     * @throws io.marchproxy.ffm.ErrnoException naming the cause (another program attached, no such mode, privileges)
     */
    public static XdpAttachment attach(final int ifindex, final int progFd, final XdpMode mode)
    {
        final int rc = Libbpf.bpf_xdp_attach(
            ifindex, progFd, mode.attachFlag() | IfLink.XDP_FLAGS_UPDATE_IF_NOEXIST, MemorySegment.NULL);
        if (rc < 0)
        {
            final String hint = switch (-rc)
            {
                case Errno.EBUSY, Errno.EEXIST -> "another XDP program is already attached to ifindex " + ifindex;
                case Errno.EOPNOTSUPP -> "the driver of ifindex " + ifindex + " has no " + mode + " XDP support";
                case Errno.EPERM -> "attaching XDP needs CAP_NET_ADMIN";
                case Errno.ENODEV -> "no interface with index " + ifindex + " in this network namespace";
                default -> null;
            };
            throw new ErrnoException("bpf_xdp_attach(ifindex " + ifindex + ", " + mode + ")", -rc, hint);
        }
        return new XdpAttachment(ifindex, mode, NetNamespace.currentId());
    }

    /**
     * {@return what {@code bpf_xdp_query} reports for {@code ifindex}}
     *
     * @param ifindex the interface, in the calling thread's namespace
     */
    public static XdpQuery query(final int ifindex)
    {
        try (Arena a = Arena.ofConfined())
        {
            final MemorySegment opts = a.allocate(Libbpf.bpf_xdp_query_opts);
            opts.set(JAVA_LONG, Libbpf.bpf_xdp_query_opts_sz, Libbpf.bpf_xdp_query_opts.byteSize());
            Errno.checkNegated(Libbpf.bpf_xdp_query(ifindex, 0, opts), "bpf_xdp_query(ifindex " + ifindex + ")");
            return new XdpQuery(
                opts.get(JAVA_INT, Libbpf.bpf_xdp_query_opts_prog_id),
                opts.get(JAVA_INT, Libbpf.bpf_xdp_query_opts_drv_prog_id),
                opts.get(JAVA_INT, Libbpf.bpf_xdp_query_opts_skb_prog_id),
                opts.get(JAVA_BYTE, Libbpf.bpf_xdp_query_opts_attach_mode));
        }
    }

    /** {@return the interface's index (in the namespace of {@link #namespaceId()})} */
    public int ifindex()
    {
        return ifindex;
    }

    /** {@return the attach mode} */
    public XdpMode mode()
    {
        return mode;
    }

    /**
     * {@return the identity of the network namespace the program was attached in} ({@link NetNamespace#currentId()}
     * of the attaching thread): with {@link #ifindex()} it names the interface.
     */
    public long namespaceId()
    {
        return namespaceId;
    }

    /** {@return whether the program is still attached: false once {@link #close()} ran} */
    public boolean isAttached()
    {
        return attached;
    }

    /** Detaches the program; must run in the interface's namespace. Idempotent. */
    @Override
    public void close()
    {
        if (attached)
        {
            attached = false;
            final int rc = Libbpf.bpf_xdp_detach(ifindex, mode.attachFlag(), MemorySegment.NULL);
            // The interface may already be gone (namespace deleted): its program went with it.
            if (rc < 0 && -rc != Errno.ENODEV && -rc != Errno.EINVAL)
            {
                Errno.checkNegated(rc, "bpf_xdp_detach(ifindex " + ifindex + ", " + mode + ")");
            }
        }
    }

    /**
     * Result of {@code bpf_xdp_query}: program ids (0 = none) and the {@code XDP_ATTACHED_*} mode.
     *
     * @param progId the program attached in the one reported mode, 0 if none
     * @param drvProgId the program attached in driver mode, 0 if none
     * @param skbProgId the program attached in generic mode, 0 if none
     * @param attachMode an {@code XDP_ATTACHED_*} value
     */
    public record XdpQuery(int progId, int drvProgId, int skbProgId, int attachMode)
    {
        /**
         * {@return whether a program is attached in {@code mode}}
         *
         * @param mode a mode
         */
        public boolean attachedIn(final XdpMode mode)
        {
            return attachMode == mode.attachedMode() || (mode == XdpMode.DRV ? drvProgId : skbProgId) != 0;
        }
    }
}
