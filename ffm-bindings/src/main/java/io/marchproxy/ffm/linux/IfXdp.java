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
    /** Bind flag: share the UMEM of the socket in {@code sxdp_shared_umem_fd}. */
    public static final int XDP_SHARED_UMEM = 1 << 0;
    /** Bind flag: copy mode (frames copied between the driver and the UMEM). */
    public static final int XDP_COPY = 1 << 1;
    /** Bind flag: zero-copy mode (the driver works on the UMEM directly); refused where the driver lacks it. */
    public static final int XDP_ZEROCOPY = 1 << 2;
    /** Bind flag: the kernel says through the rings' flags when it needs a syscall to make progress. */
    public static final int XDP_USE_NEED_WAKEUP = 1 << 3;

    /* UMEM flags. */
    /** UMEM flag: frames need not be aligned to the chunk size. */
    public static final int XDP_UMEM_UNALIGNED_CHUNK_FLAG = 1 << 0;

    /* Ring flags word. */
    /** Ring flag: the kernel needs a wake-up ({@code sendto}/{@code recvfrom}/{@code poll}) to process the ring. */
    public static final int XDP_RING_NEED_WAKEUP = 1 << 0;

    /* Socket options at level SOL_XDP. */
    /** Socket option: read the rings' mmap offsets ({@link #xdp_mmap_offsets}). */
    public static final int XDP_MMAP_OFFSETS = 1;
    /** Socket option: the RX ring's size. */
    public static final int XDP_RX_RING = 2;
    /** Socket option: the TX ring's size. */
    public static final int XDP_TX_RING = 3;
    /** Socket option: register the UMEM ({@link #xdp_umem_reg}). */
    public static final int XDP_UMEM_REG = 4;
    /** Socket option: the fill ring's size. */
    public static final int XDP_UMEM_FILL_RING = 5;
    /** Socket option: the completion ring's size. */
    public static final int XDP_UMEM_COMPLETION_RING = 6;
    /** Socket option: read the socket's counters ({@link #xdp_statistics}). */
    public static final int XDP_STATISTICS = 7;
    /** Socket option: read the bind options ({@link #xdp_options}). */
    public static final int XDP_OPTIONS = 8;
    /** Frames one copy-mode TX kick may send (kernel default 32, at most the TX ring size); set after XDP_TX_RING. */
    @HeaderSince("Linux 6.17")
    public static final int XDP_MAX_TX_SKB_BUDGET = 9;

    /** {@code xdp_options.flags}: the socket is bound in zero-copy mode. */
    public static final int XDP_OPTIONS_ZEROCOPY = 1 << 0;

    /* mmap page offsets of the four rings. */
    /** mmap page offset of the RX ring. */
    public static final long XDP_PGOFF_RX_RING = 0L;
    /** mmap page offset of the TX ring. */
    public static final long XDP_PGOFF_TX_RING = 0x80000000L;
    /** mmap page offset of the fill ring. */
    public static final long XDP_UMEM_PGOFF_FILL_RING = 0x100000000L;
    /** mmap page offset of the completion ring. */
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

    /** Offset of {@code sxdp_family} in {@link #sockaddr_xdp}. */
    public static final long sockaddr_xdp_sxdp_family = sockaddr_xdp.byteOffset(groupElement("sxdp_family"));
    /** Offset of {@code sxdp_flags} in {@link #sockaddr_xdp}. */
    public static final long sockaddr_xdp_sxdp_flags = sockaddr_xdp.byteOffset(groupElement("sxdp_flags"));
    /** Offset of {@code sxdp_ifindex} in {@link #sockaddr_xdp}. */
    public static final long sockaddr_xdp_sxdp_ifindex = sockaddr_xdp.byteOffset(groupElement("sxdp_ifindex"));
    /** Offset of {@code sxdp_queue_id} in {@link #sockaddr_xdp}. */
    public static final long sockaddr_xdp_sxdp_queue_id = sockaddr_xdp.byteOffset(groupElement("sxdp_queue_id"));
    /** Offset of {@code sxdp_shared_umem_fd} in {@link #sockaddr_xdp}. */
    public static final long sockaddr_xdp_sxdp_shared_umem_fd =
        sockaddr_xdp.byteOffset(groupElement("sxdp_shared_umem_fd"));

    /** Offset of {@code producer} in {@link #xdp_ring_offset}. */
    public static final long xdp_ring_offset_producer = xdp_ring_offset.byteOffset(groupElement("producer"));
    /** Offset of {@code consumer} in {@link #xdp_ring_offset}. */
    public static final long xdp_ring_offset_consumer = xdp_ring_offset.byteOffset(groupElement("consumer"));
    /** Offset of {@code desc} in {@link #xdp_ring_offset}. */
    public static final long xdp_ring_offset_desc = xdp_ring_offset.byteOffset(groupElement("desc"));
    /** Offset of {@code flags} in {@link #xdp_ring_offset}. */
    public static final long xdp_ring_offset_flags = xdp_ring_offset.byteOffset(groupElement("flags"));

    /** Offset of {@code rx} in {@link #xdp_mmap_offsets}. */
    public static final long xdp_mmap_offsets_rx = xdp_mmap_offsets.byteOffset(groupElement("rx"));
    /** Offset of {@code tx} in {@link #xdp_mmap_offsets}. */
    public static final long xdp_mmap_offsets_tx = xdp_mmap_offsets.byteOffset(groupElement("tx"));
    /** Offset of {@code fr} in {@link #xdp_mmap_offsets}. */
    public static final long xdp_mmap_offsets_fr = xdp_mmap_offsets.byteOffset(groupElement("fr"));
    /** Offset of {@code cr} in {@link #xdp_mmap_offsets}. */
    public static final long xdp_mmap_offsets_cr = xdp_mmap_offsets.byteOffset(groupElement("cr"));

    /** Offset of {@code addr} in {@link #xdp_umem_reg}. */
    public static final long xdp_umem_reg_addr = xdp_umem_reg.byteOffset(groupElement("addr"));
    /** Offset of {@code len} in {@link #xdp_umem_reg}. */
    public static final long xdp_umem_reg_len = xdp_umem_reg.byteOffset(groupElement("len"));
    /** Offset of {@code chunk_size} in {@link #xdp_umem_reg}. */
    public static final long xdp_umem_reg_chunk_size = xdp_umem_reg.byteOffset(groupElement("chunk_size"));
    /** Offset of {@code headroom} in {@link #xdp_umem_reg}. */
    public static final long xdp_umem_reg_headroom = xdp_umem_reg.byteOffset(groupElement("headroom"));
    /** Offset of {@code flags} in {@link #xdp_umem_reg}. */
    public static final long xdp_umem_reg_flags = xdp_umem_reg.byteOffset(groupElement("flags"));

    /** Offset of {@code addr} in {@link #xdp_desc}. */
    public static final long xdp_desc_addr = xdp_desc.byteOffset(groupElement("addr"));
    /** Offset of {@code len} in {@link #xdp_desc}. */
    public static final long xdp_desc_len = xdp_desc.byteOffset(groupElement("len"));
    /** Offset of {@code options} in {@link #xdp_desc}. */
    public static final long xdp_desc_options = xdp_desc.byteOffset(groupElement("options"));

    /** Offset of {@code flags} in {@link #xdp_options}. */
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
