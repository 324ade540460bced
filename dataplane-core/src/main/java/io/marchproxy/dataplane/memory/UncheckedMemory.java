package io.marchproxy.dataplane.memory;

import java.lang.foreign.MemorySegment;

/**
 * Reads and writes of native memory by absolute address, through one segment that spans the whole address space and
 * belongs to the global session: agrona's {@code UnsafeBuffer} model, in plain FFM. The JIT sees that segment as a
 * constant, so an access costs a comparison against a constant size instead of the checks of the segment that owns the
 * memory (its size and session loaded and tested at each access site). Nothing stops an access outside the owner's
 * memory or after it was freed: such an access reads garbage, corrupts the heap or crashes the JVM.
 *
 * <p>The rule: only code that has already proven, by a check it makes anyway, that every access lies inside a native
 * segment it may use and that this segment stays alive until the access is done, may read or write through this class;
 * all other code uses the owner's segment. Today that is {@code NatRewriter.forward} (and its parts
 * {@code translate} and {@code translateIpv4}), on a frame as the parser left it: a verdict of TCP or UDP means the
 * parser checked that every byte forward writes (MACs, the IP header, the TCP or UDP ports and checksum) lies inside
 * the frame, and the frame inside its segment; {@link #covers} tells it the segment is native and alive when the
 * rewrite starts, and the segment's owner (the UMEM of an AF_XDP socket) is freed only once the dataplane thread that
 * rewrites its frames stopped: the same contract that keeps a checked access from failing on a closed segment.
 * Heap frames, and packets of any other verdict, take the checked path.
 *
 * <p>Measured (PacketPathBenchmark, JDK 25): the flow table's records and index, and the parser's reads of a native
 * frame, through this class were no faster, and made the per-packet path slower (the JIT's inlining of the whole path
 * shifted), so they keep their own segments.
 *
 * <p>Threads: any; the class holds no state.
 */
public final class UncheckedMemory
{
    /** Native memory from address 0 up, in the global session: never closed, so no liveness check is ever due. */
    private static final MemorySegment EVERYTHING = everySegment();

    private UncheckedMemory()
    {
    }

    @SuppressWarnings("restricted") // a segment of the whole address space: the point of this class
    private static MemorySegment everySegment()
    {
        return MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    }

    /**
     * {@return the segment of all native memory, whose offsets are absolute addresses} For code that reads a frame
     * through the same methods it uses on a frame's own segment; the rule of the class applies to every access.
     */
    public static MemorySegment everything()
    {
        return EVERYTHING;
    }

    /**
     * {@return true when accesses to {@code segment}'s memory may go through this class: native and alive now}
     *
     * @param segment the owner's segment
     */
    public static boolean covers(final MemorySegment segment)
    {
        return segment.isNative() && segment.scope().isAlive();
    }
}
