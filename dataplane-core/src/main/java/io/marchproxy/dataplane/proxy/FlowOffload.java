package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.bpf.L4FlowSlots;
import io.marchproxy.dataplane.conntrack.FlowState;
import io.marchproxy.dataplane.conntrack.FlowTable;
import io.marchproxy.dataplane.counter.SingleWriterCounters;
import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.packet.TcpHeader;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * The dataplane thread's side of flow offload: which flows the XDP program forwards itself, and the bookkeeping that
 * keeps the Java flow tables right while it does. A flow the pipeline decided is written ({@link #offload}) as two
 * slots of the program's flow slots (client -> VIP rewritten toward the backend out of the back interface, backend ->
 * SNAT rewritten toward the client out of the front one): memory writes, no system call. From then on its frames skip
 * user space. The flow stays in the Java table, marked {@link #OFFLOADED}, and comes back to the Java path
 * ({@link #recall}) when a SYN, FIN or RST reaches Java (the program hands those back), when what was decided for it
 * changes, or when it closes. What the program counts per slot is folded into the flow's record (counts, and the time
 * of the fold as last seen when the counts moved) and into the proxy's statistics whenever it is read: by the periodic
 * {@link #scan}, before a flow expires, and when it is recalled; frames forwarded from a slot in the moment after its
 * release are folded into the statistics when the slot leaves quarantine.
 *
 * <p>A flow's marks in its {@link FlowTable} record: {@link #OFFLOADED}, or {@link #NEVER} (no slot was free, or the
 * proxy's limit of offloaded flows was reached: the flow stays on the Java path for life). Everything here belongs to
 * the dataplane thread, except {@link #counters()}, which any thread may read. No system call, no allocation after
 * construction.
 */
final class FlowOffload implements AutoCloseable
{
    /** Mark: both directions are in the program's flow slots. */
    static final int OFFLOADED = 1;
    /** Mark: the flow could not be offloaded; it stays on the Java path. */
    static final int NEVER = 2;
    /** Egress slots of the program's DEVMAP. */
    static final int FRONT_EGRESS = 0;
    static final int BACK_EGRESS = 1;
    /**
     * A UDP flow is offloaded once it carried this many frames, either way: a one-shot exchange (DNS) ends before the
     * offload would pay for itself. No reply is waited for: one-way streams (media, telemetry) are offloaded too.
     */
    static final int UDP_AFTER_FRAMES = 4;

    /** How often every offloaded flow's counts are read (well below the shortest timeout). */
    private static final long SCAN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** Flow records a turn of the scan visits. */
    private static final int SCAN_PER_TURN = 4096;
    private static final int TCP_ENDINGS = TcpHeader.SYN | TcpHeader.FIN | TcpHeader.RST;
    /**
     * Per flow record: the slot of each direction (two ints), the counts already folded (packets, bytes; original then
     * reply) and the backend MAC written.
     */
    private static final long SIDE_BYTES = 6 * Long.BYTES;
    private static final long SIDE_FOLDED = Long.BYTES;
    private static final long SIDE_MAC = 5 * Long.BYTES;

    private final L4FlowSlots slots;
    private final int maxFlows;
    private final FlowTable flows4;
    private final FlowTable flows6;
    private final MemorySegment clientMacs4;
    private final MemorySegment clientMacs6;
    private final long frontMac;
    private final long backMac;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment side4;
    private final MemorySegment side6;
    /** Whose traffic each slot carries (service, backend, direction), for frames counted after its release. */
    private final int[] slotService;
    private final int[] slotBackend;
    private final SingleWriterCounters counters = SingleWriterCounters.forEnum(OffloadCounter.class);
    private final FlowTuple key = new FlowTuple();
    private final FlowTuple rewrite = new FlowTuple();
    private final L4FlowSlots.LateFrames late = this::late;
    private ProxyStatistics lateStatistics;
    private int flowsOffloaded;
    private int scanCursor = -1;
    private long nextScan;

    /**
     * Offload into {@code slots} (null: never offload), at most {@code maxFlows} flows at once, for the flows of
     * {@code flows4} and {@code flows6}, whose client-side next hops the pipeline keeps in {@code clientMacs4} and
     * {@code clientMacs6} (a {@code long} per record).
     */
    FlowOffload(
        final L4FlowSlots slots, final int maxFlows, final FlowTable flows4, final FlowTable flows6,
        final MemorySegment clientMacs4, final MemorySegment clientMacs6, final long frontMac, final long backMac)
    {
        this.slots = slots;
        this.maxFlows = slots == null ? 0 : maxFlows;
        this.flows4 = flows4;
        this.flows6 = flows6;
        this.clientMacs4 = clientMacs4;
        this.clientMacs6 = clientMacs6;
        this.frontMac = frontMac;
        this.backMac = backMac;
        this.side4 = slots == null ? MemorySegment.NULL : arena.allocate(flows4.capacity() * SIDE_BYTES, Long.BYTES);
        this.side6 = slots == null ? MemorySegment.NULL : arena.allocate(flows6.capacity() * SIDE_BYTES, Long.BYTES);
        this.slotService = new int[slots == null ? 0 : slots.capacity()];
        this.slotBackend = new int[slots == null ? 0 : slots.capacity()];
    }

    /** False when nothing is ever offloaded (no slots). */
    boolean enabled()
    {
        return slots != null;
    }

    /** Counters by {@link OffloadCounter}; any thread. */
    SingleWriterCounters counters()
    {
        return counters;
    }

    /** Flows offloaded now. */
    int offloaded()
    {
        return flowsOffloaded;
    }

    /**
     * Whether a flow the pipeline just forwarded a frame of is ready to offload: established TCP, or UDP that carried
     * {@value #UDP_AFTER_FRAMES} frames, never marked.
     */
    static boolean ready(final FlowTable table, final int handle)
    {
        if (table.marks(handle) != 0)
        {
            return false;
        }
        final FlowState state = table.state(handle);
        final long replies = table.packets(handle, 1);
        if (state == FlowState.ESTABLISHED)
        {
            return replies > 0;
        }
        return state == FlowState.UDP && table.packets(handle, 0) + replies >= UDP_AFTER_FRAMES;
    }

    /**
     * Offloads the flow of {@code handle}, if {@code config} lets its service, its backend is enabled and both next
     * hops are known in {@code links}: both directions written into free slots. A flow that finds no free slot, or
     * comes when the limit of offloaded flows is reached, is marked {@link #NEVER} and counted; it stays on the Java
     * path. Returns whether it was offloaded.
     */
    boolean offload(
        final FlowTable table, final int handle, final CompiledConfig config, final BackendLinks links, final long now)
    {
        final int original = handle & ~1;
        final int service = table.serviceIndex(original);
        final int backend = table.backendIndex(original);
        final long backendMac = links.mac(service, backend);
        final long clientMac = clientMacs(table).getAtIndex(ValueLayout.JAVA_LONG, original >>> 1);
        // A disabled backend's flows drain on the Java path: a change that disabled it took them back (see
        // ProxyPipeline.stillDecided), and they are not offloaded again.
        if (slots == null || backendMac == 0 || clientMac == 0 || !config.offload(service)
            || !config.backendEnabled(service, backend))
        {
            return false;
        }
        if (flowsOffloaded >= maxFlows)
        {
            return refuse(table, original);
        }
        final int toBackend = slots.insert(table.key(original, 0, key), table.translation(original, rewrite), backMac,
            backendMac, BACK_EGRESS);
        if (toBackend == L4FlowSlots.NO_SLOT)
        {
            return refuse(table, original);
        }
        final int toClient = slots.insert(table.key(original, 1, key), table.translation(original | 1, rewrite),
            frontMac, clientMac, FRONT_EGRESS);
        if (toClient == L4FlowSlots.NO_SLOT)
        {
            owner(toBackend, service, backend);
            slots.release(toBackend, now); // live for a moment: a frame it forwarded is folded when it is drained
            return refuse(table, original);
        }
        owner(toBackend, service, backend);
        owner(toClient, service, backend);
        final MemorySegment side = side(table);
        final long at = (long)(original >>> 1) * SIDE_BYTES;
        side.set(ValueLayout.JAVA_INT, at, toBackend);
        side.set(ValueLayout.JAVA_INT, at + Integer.BYTES, toClient);
        for (long off = SIDE_FOLDED; off < SIDE_MAC; off += Long.BYTES)
        {
            side.set(ValueLayout.JAVA_LONG, at + off, 0L);
        }
        side.set(ValueLayout.JAVA_LONG, at + SIDE_MAC, backendMac);
        table.marks(original, OFFLOADED);
        flowsOffloaded++;
        counters.increment(OffloadCounter.OFFLOADED);
        counters.increment(OffloadCounter.ACTIVE);
        return true;
    }

    private boolean refuse(final FlowTable table, final int original)
    {
        table.marks(original, NEVER);
        counters.increment(OffloadCounter.FAILED_FULL);
        return false;
    }

    private void owner(final int slot, final int service, final int backend)
    {
        slotService[slot] = service;
        slotBackend[slot] = backend;
    }

    /**
     * A frame of an offloaded flow reached the Java path, before its state is updated: a SYN, FIN or RST takes the flow
     * back (the program handed its direction back already); any other frame was in flight when the flow was
     * offloaded, and is counted.
     */
    void javaFrame(
        final FlowTable table, final int handle, final int tcpFlags, final ProxyStatistics statistics, final long now)
    {
        if ((table.marks(handle) & OFFLOADED) == 0)
        {
            return;
        }
        if ((tcpFlags & TCP_ENDINGS) != 0)
        {
            recall(table, handle, statistics, now);
            counters.increment(OffloadCounter.HANDED_BACK);
        }
        else
        {
            counters.increment(OffloadCounter.STRAY_FRAMES);
        }
    }

    /**
     * Takes an offloaded flow back to the Java path: releases both slots, folding their last counts into the flow and
     * the statistics. Does nothing for a flow that is not offloaded.
     */
    void recall(final FlowTable table, final int handle, final ProxyStatistics statistics, final long now)
    {
        final int original = handle & ~1;
        if ((table.marks(original) & OFFLOADED) == 0)
        {
            return;
        }
        final long at = (long)(original >>> 1) * SIDE_BYTES;
        for (int direction = 0; direction < 2; direction++)
        {
            final int slot = side(table).get(ValueLayout.JAVA_INT, at + (long)direction * Integer.BYTES);
            slots.release(slot, now);
            fold(table, original | direction, slot, statistics, now);
        }
        table.marks(original, 0);
        flowsOffloaded--;
        counters.add(OffloadCounter.ACTIVE.ordinal(), -1);
    }

    /** Recall for a reason the caller names (it counts {@code reason}). */
    void recall(final FlowTable table, final int handle, final ProxyStatistics statistics, final long now,
        final OffloadCounter reason)
    {
        if ((table.marks(handle & ~1) & OFFLOADED) != 0)
        {
            recall(table, handle, statistics, now);
            counters.increment(reason);
        }
    }

    /** Before an idle flow expires: an offloaded one gets the program's counts first (moving counts keep it alive). */
    void beforeExpiry(final FlowTable table, final int handle, final ProxyStatistics statistics, final long now)
    {
        if ((table.marks(handle) & OFFLOADED) != 0)
        {
            foldBoth(table, handle & ~1, statistics, now);
        }
    }

    /**
     * One turn of housekeeping: frees the slots whose quarantine is over (their late frames into
     * {@code statistics}), and, when a scan is due or under way, visits the next records: every offloaded flow's
     * counts are folded, and a flow whose direction was handed back without its frame reaching Java (lost on the way)
     * is recalled. Returns the work done.
     */
    int scan(final long now, final ProxyStatistics statistics)
    {
        if (slots == null)
        {
            return 0;
        }
        lateStatistics = statistics;
        int work = slots.drain(now, late);
        if (scanCursor < 0)
        {
            if (flowsOffloaded == 0 || now - nextScan < 0)
            {
                return work;
            }
            scanCursor = 0;
        }
        final int limit4 = flows4.recordLimit();
        final int end = Math.min(scanCursor + SCAN_PER_TURN, limit4 + flows6.recordLimit());
        for (; scanCursor < end; scanCursor++)
        {
            final FlowTable table = scanCursor < limit4 ? flows4 : flows6;
            final int handle = (scanCursor < limit4 ? scanCursor : scanCursor - limit4) << 1;
            if (table.isLive(handle) && (table.marks(handle) & OFFLOADED) != 0)
            {
                foldBoth(table, handle, statistics, now);
                work++;
            }
        }
        if (scanCursor >= limit4 + flows6.recordLimit())
        {
            scanCursor = -1;
            nextScan = now + SCAN_PERIOD_NANOS;
        }
        return work;
    }

    private void foldBoth(final FlowTable table, final int original, final ProxyStatistics statistics, final long now)
    {
        final long at = (long)(original >>> 1) * SIDE_BYTES;
        boolean handedBack = false;
        for (int direction = 0; direction < 2; direction++)
        {
            final int slot = side(table).get(ValueLayout.JAVA_INT, at + (long)direction * Integer.BYTES);
            fold(table, original | direction, slot, statistics, now);
            handedBack |= slots.state(slot) == L4FlowSlots.STATE_HANDED_BACK;
        }
        if (handedBack)
        {
            recall(table, original, statistics, now);
            counters.increment(OffloadCounter.HANDED_BACK);
        }
    }

    /** Whether the backend MAC written for the offloaded flow of {@code handle} is {@code mac}. */
    boolean wroteBackendMac(final FlowTable table, final int handle, final long mac)
    {
        return side(table).get(ValueLayout.JAVA_LONG, (long)(handle >>> 1) * SIDE_BYTES + SIDE_MAC) == mac;
    }

    /** Adds what the program counted in {@code slot} since the last fold to the flow and the statistics. */
    private void fold(
        final FlowTable table, final int handle, final int slot, final ProxyStatistics statistics, final long now)
    {
        final int direction = handle & 1;
        final MemorySegment side = side(table);
        final long at = (long)(handle >>> 1) * SIDE_BYTES + SIDE_FOLDED + direction * 2L * Long.BYTES;
        final long packets = slots.packets(slot);
        final long bytes = slots.bytes(slot);
        final long newPackets = packets - side.get(ValueLayout.JAVA_LONG, at);
        if (newPackets <= 0)
        {
            return;
        }
        final long newBytes = bytes - side.get(ValueLayout.JAVA_LONG, at + Long.BYTES);
        side.set(ValueLayout.JAVA_LONG, at, packets);
        side.set(ValueLayout.JAVA_LONG, at + Long.BYTES, bytes);
        table.addTraffic(handle, direction, newPackets, newBytes, now);
        statistics.addTraffic(table.serviceIndex(handle), table.backendIndex(handle), direction, newPackets, newBytes);
    }

    /** Frames forwarded from a slot in the moment after its release: the statistics of whose traffic it was. */
    private void late(final int slot, final long packets, final long bytes)
    {
        // The egress slot says the direction: toward the backend out of the back interface.
        final ProxyStatistics statistics = lateStatistics;
        if (statistics != null)
        {
            statistics.addTraffic(slotService[slot], slotBackend[slot], slots.egress(slot) == BACK_EGRESS ? 0 : 1,
                packets, bytes);
        }
    }

    private MemorySegment side(final FlowTable table)
    {
        return table == flows4 ? side4 : side6;
    }

    private MemorySegment clientMacs(final FlowTable table)
    {
        return table == flows4 ? clientMacs4 : clientMacs6;
    }

    @Override
    public void close()
    {
        if (slots != null)
        {
            slots.close();
        }
        arena.close();
    }
}
