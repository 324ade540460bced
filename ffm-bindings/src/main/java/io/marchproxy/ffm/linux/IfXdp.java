package io.marchproxy.ffm.linux;

import io.marchproxy.ffm.CHeader;
import io.marchproxy.ffm.HeaderSince;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** {@code <linux/if_xdp.h>}: AF_XDP socket addresses, UMEM registration, ring offsets, descriptors and options. */
@CHeader("linux/if_xdp.h")
public final class IfXdp
{
    /* Bind flags (sockaddr_xdp.sxdp_flags). */
    public static final int XDP_SHARED_UMEM = 1 << 0;
    public static final int XDP_COPY = 1 << 1;
    public static final int XDP_ZEROCOPY = 1 << 2;
    public static final int XDP_USE_NEED_WAKEUP = 1 << 3;

    /* UMEM flags. */
    public static final int XDP_UMEM_UNALIGNED_CHUNK_FLAG = 1 << 0;

    /* Ring flags word. */
    public static final int XDP_RING_NEED_WAKEUP = 1 << 0;

    /* Socket options at level SOL_XDP. */
    public static final int XDP_MMAP_OFFSETS = 1;
    public static final int XDP_RX_RING = 2;
    public static final int XDP_TX_RING = 3;
    public static final int XDP_UMEM_REG = 4;
    public static final int XDP_UMEM_FILL_RING = 5;
    public static final int XDP_UMEM_COMPLETION_RING = 6;
    public static final int XDP_STATISTICS = 7;
    public static final int XDP_OPTIONS = 8;
    /** Frames one copy-mode TX kick may send (kernel default 32, at most the TX ring size); set after XDP_TX_RING. */
    @HeaderSince("Linux 6.17")
    public static final int XDP_MAX_TX_SKB_BUDGET = 9;

    public static final int XDP_OPTIONS_ZEROCOPY = 1 << 0;

    /* mmap page offsets of the four rings. */
    public static final long XDP_PGOFF_RX_RING = 0L;
    public static final long XDP_PGOFF_TX_RING = 0x80000000L;
    public static final long XDP_UMEM_PGOFF_FILL_RING = 0x100000000L;
    public static final long XDP_UMEM_PGOFF_COMPLETION_RING = 0x180000000L;

    /** {@code struct sockaddr_xdp}. */
    public static final StructLayout sockaddr_xdp = MemoryLayout.structLayout(
        JAVA_SHORT.withName("sxdp_family"),
        JAVA_SHORT.withName("sxdp_flags"),
        JAVA_INT.withName("sxdp_ifindex"),
        JAVA_INT.withName("sxdp_queue_id"),
        JAVA_INT.withName("sxdp_shared_umem_fd")).withName("struct sockaddr_xdp");

    /** {@code struct xdp_ring_offset}: byte offsets of a ring's producer, consumer, descriptors and flags. */
    public static final StructLayout xdp_ring_offset = ringOffset("struct xdp_ring_offset");

    /** {@code struct xdp_mmap_offsets}: the ring offsets of RX, TX, fill and completion. */
    public static final StructLayout xdp_mmap_offsets = MemoryLayout.structLayout(
        ringOffset("rx"),
        ringOffset("tx"),
        ringOffset("fr"),
        ringOffset("cr")).withName("struct xdp_mmap_offsets");

    /** {@code struct xdp_umem_reg} as the installed (6.1) header has it; newer kernels accept this size. */
    public static final StructLayout xdp_umem_reg = MemoryLayout.structLayout(
        JAVA_LONG.withName("addr"),
        JAVA_LONG.withName("len"),
        JAVA_INT.withName("chunk_size"),
        JAVA_INT.withName("headroom"),
        JAVA_INT.withName("flags"),
        MemoryLayout.paddingLayout(4)).withName("struct xdp_umem_reg");

    /** {@code struct xdp_statistics}. */
    public static final StructLayout xdp_statistics = MemoryLayout.structLayout(
        JAVA_LONG.withName("rx_dropped"),
        JAVA_LONG.withName("rx_invalid_descs"),
        JAVA_LONG.withName("tx_invalid_descs"),
        JAVA_LONG.withName("rx_ring_full"),
        JAVA_LONG.withName("rx_fill_ring_empty_descs"),
        JAVA_LONG.withName("tx_ring_empty_descs")).withName("struct xdp_statistics");

    /** {@code struct xdp_options}. */
    public static final StructLayout xdp_options = MemoryLayout.structLayout(
        JAVA_INT.withName("flags")).withName("struct xdp_options");

    /** {@code struct xdp_desc}: one RX or TX ring entry. */
    public static final StructLayout xdp_desc = MemoryLayout.structLayout(
        JAVA_LONG.withName("addr"),
        JAVA_INT.withName("len"),
        JAVA_INT.withName("options")).withName("struct xdp_desc");

    public static final long sockaddr_xdp_sxdp_family = sockaddr_xdp.byteOffset(groupElement("sxdp_family"));
    public static final long sockaddr_xdp_sxdp_flags = sockaddr_xdp.byteOffset(groupElement("sxdp_flags"));
    public static final long sockaddr_xdp_sxdp_ifindex = sockaddr_xdp.byteOffset(groupElement("sxdp_ifindex"));
    public static final long sockaddr_xdp_sxdp_queue_id = sockaddr_xdp.byteOffset(groupElement("sxdp_queue_id"));
    public static final long sockaddr_xdp_sxdp_shared_umem_fd =
        sockaddr_xdp.byteOffset(groupElement("sxdp_shared_umem_fd"));

    public static final long xdp_ring_offset_producer = xdp_ring_offset.byteOffset(groupElement("producer"));
    public static final long xdp_ring_offset_consumer = xdp_ring_offset.byteOffset(groupElement("consumer"));
    public static final long xdp_ring_offset_desc = xdp_ring_offset.byteOffset(groupElement("desc"));
    public static final long xdp_ring_offset_flags = xdp_ring_offset.byteOffset(groupElement("flags"));

    public static final long xdp_mmap_offsets_rx = xdp_mmap_offsets.byteOffset(groupElement("rx"));
    public static final long xdp_mmap_offsets_tx = xdp_mmap_offsets.byteOffset(groupElement("tx"));
    public static final long xdp_mmap_offsets_fr = xdp_mmap_offsets.byteOffset(groupElement("fr"));
    public static final long xdp_mmap_offsets_cr = xdp_mmap_offsets.byteOffset(groupElement("cr"));

    public static final long xdp_umem_reg_addr = xdp_umem_reg.byteOffset(groupElement("addr"));
    public static final long xdp_umem_reg_len = xdp_umem_reg.byteOffset(groupElement("len"));
    public static final long xdp_umem_reg_chunk_size = xdp_umem_reg.byteOffset(groupElement("chunk_size"));
    public static final long xdp_umem_reg_headroom = xdp_umem_reg.byteOffset(groupElement("headroom"));
    public static final long xdp_umem_reg_flags = xdp_umem_reg.byteOffset(groupElement("flags"));

    public static final long xdp_desc_addr = xdp_desc.byteOffset(groupElement("addr"));
    public static final long xdp_desc_len = xdp_desc.byteOffset(groupElement("len"));
    public static final long xdp_desc_options = xdp_desc.byteOffset(groupElement("options"));

    public static final long xdp_options_flags = xdp_options.byteOffset(groupElement("flags"));

    private IfXdp()
    {
    }

    private static StructLayout ringOffset(final String name)
    {
        return MemoryLayout.structLayout(
            JAVA_LONG.withName("producer"),
            JAVA_LONG.withName("consumer"),
            JAVA_LONG.withName("desc"),
            JAVA_LONG.withName("flags")).withName(name);
    }
}
