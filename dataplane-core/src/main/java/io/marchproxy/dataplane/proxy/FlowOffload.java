package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.bpf.L4FlowMap;
import io.marchproxy.dataplane.conntrack.FlowState;
import io.marchproxy.dataplane.conntrack.FlowTable;
import io.marchproxy.dataplane.counter.SingleWriterCounters;
import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.net.IpFamily;
import io.marchproxy.dataplane.packet.TcpHeader;
import io.marchproxy.ffm.libc.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * The dataplane thread's side of flow offload: which flows the XDP program forwards itself, and the bookkeeping that
 * keeps the Java flow tables right while it does. A flow the pipeline decided ({@link #request}) is written at the next
 * {@link #commit} as two entries of the program's flow map (client -> VIP rewritten toward the backend out of the back
 * interface, backend -> SNAT rewritten toward the client out of the front one); from then on its frames skip user
 * space. The flow stays in the Java table, marked {@link #OFFLOADED}, and comes back to the Java path ({@link #recall})
 * when a SYN, FIN or RST reaches Java (the program hands those back), when what was decided for it changes, or when it
 * closes. The program's per-entry counts are folded into the flow's record and the proxy's statistics whenever they
 * are read: by the periodic {@link #scan}, before a flow expires, and when it is recalled.
 *
 * <p>A flow's marks in its {@link FlowTable} record: {@link #PENDING} (requested, written at the next commit),
 * {@link #OFFLOADED} (both entries written), {@link #NEVER} (refused by the kernel, the map full say: the flow stays on
 * the Java path for life). Everything here belongs to the dataplane thread, except {@link #counters()}, which any
 * thread may read. Syscalls happen only at commit, recall, expiry and scan, never per frame; nothing allocates after
 * construction.
 */
final class FlowOffload implements AutoCloseable
{
    /** Mark: both entries are in the program's flow map. */
    static final int OFFLOADED = 1;
    /** Mark: requested, to be written at the next commit. */
    static final int PENDING = 2;
    /** Mark: the kernel refused the flow; it stays on the Java path. */
    static final int NEVER = 4;
    /** Egress slots of the program's DEVMAP. */
    static final int FRONT_EGRESS = 0;
    static final int BACK_EGRESS = 1;
    /**
     * A UDP flow is offloaded once it carried this many frames, either way: two map writes and two deletes cost about
     * what the Java path spends on four frames, so a one-shot exchange (DNS) is cheaper left in Java. No reply is
     * waited for: one-way streams (media, telemetry) are offloaded too.
     */
    static final int UDP_AFTER_FRAMES = 4;

    /** How often the whole map is read for the statistics and last-seen times (well below the shortest timeout). */
    private static final long SCAN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final int TCP_ENDINGS = TcpHeader.SYN | TcpHeader.FIN | TcpHeader.RST;
    /** Per flow record: the counts already folded (packets, bytes; original then reply) and the backend MAC written. */
    private static final long SIDE_BYTES = 5 * Long.BYTES;
    private static final long SIDE_MAC = 4 * Long.BYTES;

    private final L4FlowMap map;
    private final FlowTable flows4;
    private final FlowTable flows6;
    private final MemorySegment clientMacs4;
    private final MemorySegment clientMacs6;
    private final long frontMac;
    private final long backMac;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment side4;
    private final MemorySegment side6;
    private final SingleWriterCounters counters = SingleWriterCounters.forEnum(OffloadCounter.class);
    /** Flows requested since the last commit, at most a batch of the map's (two entries each). */
    private final int[] pending;
    private final FlowTable[] pendingTables;
    private final int[] stagedHandles;
    private final FlowTable[] stagedTables;
    private final FlowTuple key = new FlowTuple();
    private final FlowTuple rewrite = new FlowTuple();
    private int pendingCount;
    private boolean scanning;
    private long nextScan;

    /**
     * Offload through {@code map} (null: never offload) for the flows of {@code flows4} and {@code flows6}, whose
     * client-side next hops the pipeline keeps in {@code clientMacs4}/{@code clientMacs6} (a {@code long} per record).
     */
    FlowOffload(
        final L4FlowMap map, final FlowTable flows4, final FlowTable flows6, final MemorySegment clientMacs4,
        final MemorySegment clientMacs6, final long frontMac, final long backMac)
    {
        this.map = map;
        this.flows4 = flows4;
        this.flows6 = flows6;
        this.clientMacs4 = clientMacs4;
        this.clientMacs6 = clientMacs6;
        this.frontMac = frontMac;
        this.backMac = backMac;
        final int flows = map == null ? 0 : map.batch() / 2;
        this.pending = new int[flows];
        this.pendingTables = new FlowTable[flows];
        this.stagedHandles = new int[flows];
        this.stagedTables = new FlowTable[flows];
        this.side4 = map == null ? MemorySegment.NULL : arena.allocate(flows4.capacity() * SIDE_BYTES, Long.BYTES);
        this.side6 = map == null ? MemorySegment.NULL : arena.allocate(flows6.capacity() * SIDE_BYTES, Long.BYTES);
    }

    /** False when nothing is ever offloaded (no map). */
    boolean enabled()
    {
        return map != null;
    }

    /** Counters by {@link OffloadCounter}; any thread. */
    SingleWriterCounters counters()
    {
        return counters;
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

    /** Asks for the flow of {@code handle} to be offloaded at the next commit; ignored while the queue is full. */
    void request(final FlowTable table, final int handle)
    {
        if (map == null || pendingCount == pending.length)
        {
            return;
        }
        table.marks(handle, PENDING);
        pending[pendingCount] = handle & ~1;
        pendingTables[pendingCount] = table;
        pendingCount++;
    }

    /**
     * A frame of a marked flow reached the Java path, before its state is updated: a SYN, FIN or RST takes the flow
     * back (an offloaded one is recalled, a pending one is not written); any other frame of an offloaded flow was in
     * flight when it was offloaded, and is counted.
     */
    void javaFrame(final FlowTable table, final int handle, final int tcpFlags, final ProxyStatistics statistics)
    {
        final int marks = table.marks(handle);
        if ((tcpFlags & TCP_ENDINGS) != 0)
        {
            if ((marks & OFFLOADED) != 0)
            {
                recall(table, handle, statistics);
                counters.increment(OffloadCounter.HANDED_BACK);
            }
            else if ((marks & PENDING) != 0)
            {
                table.marks(handle, 0);
            }
        }
        else if ((marks & OFFLOADED) != 0)
        {
            counters.increment(OffloadCounter.STRAY_FRAMES);
        }
    }

    /**
     * Writes the flows requested since the last commit (those still pending, still allowed to offload by
     * {@code config}, with both next hops known in {@code links}) in one batch. A flow the kernel refuses is marked
     * {@link #NEVER} and counted; a flow half written is taken out again. Returns the flows offloaded.
     */
    int commit(final CompiledConfig config, final BackendLinks links)
    {
        if (pendingCount == 0)
        {
            return 0;
        }
        map.clearStaged();
        int flows = 0;
        for (int i = 0; i < pendingCount; i++)
        {
            final FlowTable table = pendingTables[i];
            final int handle = pending[i];
            pendingTables[i] = null;
            if (!table.isLive(handle) || table.marks(handle) != PENDING)
            {
                continue; // closed, or taken back by a FIN, since it was requested
            }
            final int service = table.serviceIndex(handle);
            final long backendMac = links.mac(service, table.backendIndex(handle));
            final long clientMac = clientMacs(table).getAtIndex(ValueLayout.JAVA_LONG, handle >>> 1);
            if (backendMac == 0 || clientMac == 0 || !config.offload(service))
            {
                table.marks(handle, 0);
                continue;
            }
            map.stage(table.key(handle, 0, key), table.translation(handle, rewrite), backMac, backendMac, BACK_EGRESS,
                handle);
            map.stage(table.key(handle, 1, key), table.translation(handle | 1, rewrite), frontMac, clientMac,
                FRONT_EGRESS, handle | 1);
            final MemorySegment side = side(table);
            final long at = (long)(handle >>> 1) * SIDE_BYTES;
            for (long off = 0; off < SIDE_MAC; off += Long.BYTES)
            {
                side.set(ValueLayout.JAVA_LONG, at + off, 0L);
            }
            side.set(ValueLayout.JAVA_LONG, at + SIDE_MAC, backendMac);
            stagedHandles[flows] = handle;
            stagedTables[flows] = table;
            flows++;
        }
        pendingCount = 0;
        int offloaded = 0;
        int from = 0;
        while (from < map.staged())
        {
            final int written = map.commit(from);
            for (int pair = from >>> 1; 2 * pair + 1 < written; pair++)
            {
                stagedTables[pair].marks(stagedHandles[pair], OFFLOADED);
                counters.increment(OffloadCounter.OFFLOADED);
                counters.increment(OffloadCounter.ACTIVE);
                offloaded++;
            }
            if (written == map.staged())
            {
                break;
            }
            final int pair = written >>> 1;
            if ((written & 1) == 1)
            {
                map.remove(map.stagedKey(written - 1, key)); // the original direction went in alone
            }
            stagedTables[pair].marks(stagedHandles[pair], NEVER);
            counters.increment(map.lastErrno() == Errno.E2BIG ? OffloadCounter.FAILED_FULL : OffloadCounter.FAILED);
            from = 2 * (pair + 1);
        }
        for (int i = 0; i < flows; i++)
        {
            stagedTables[i] = null;
        }
        map.clearStaged();
        return offloaded;
    }

    /**
     * Takes an offloaded flow back to the Java path: deletes both entries, folding their last counts into the flow and
     * the statistics. Does nothing for a flow that is not offloaded.
     */
    void recall(final FlowTable table, final int handle, final ProxyStatistics statistics)
    {
        final int original = handle & ~1;
        if ((table.marks(original) & OFFLOADED) == 0)
        {
            return;
        }
        for (int direction = 0; direction < 2; direction++)
        {
            if (map.remove(table.key(original, direction, key)))
            {
                fold(table, original | direction, map.packets(), map.bytes(), map.lastSeen(), statistics);
            }
        }
        table.marks(original, 0);
        counters.add(OffloadCounter.ACTIVE.ordinal(), -1);
    }

    /** Recall for a reason the caller names (it counts {@code reason}). */
    void recall(final FlowTable table, final int handle, final ProxyStatistics statistics,
        final OffloadCounter reason)
    {
        if ((table.marks(handle & ~1) & OFFLOADED) != 0)
        {
            recall(table, handle, statistics);
            counters.increment(reason);
        }
    }

    /** Before an idle flow expires: an offloaded one gets the program's counts and last-seen times first. */
    void beforeExpiry(final FlowTable table, final int handle, final ProxyStatistics statistics)
    {
        if ((table.marks(handle) & OFFLOADED) == 0)
        {
            return;
        }
        for (int direction = 0; direction < 2; direction++)
        {
            if (map.read(table.key(handle, direction, key)))
            {
                fold(table, handle | direction, map.packets(), map.bytes(), map.lastSeen(), statistics);
            }
        }
    }

    /**
     * One step of the periodic walk over the flow map (at most one batch), when one is due: folds every entry's counts
     * into its flow and the statistics, recalls flows whose entries were handed back without their frame reaching Java
     * (lost on the way), and deletes entries that have no flow. Returns the entries read.
     */
    int scan(final long now, final ProxyStatistics statistics)
    {
        if (map == null)
        {
            return 0;
        }
        if (!scanning)
        {
            if (now - nextScan < 0)
            {
                return 0;
            }
            scanning = true;
        }
        final int n = map.scan();
        if (n <= 0)
        {
            if (n < 0)
            {
                counters.increment(OffloadCounter.SCAN_FAILED);
            }
            scanning = false;
            nextScan = now + SCAN_PERIOD_NANOS;
            return 0;
        }
        for (int i = 0; i < n; i++)
        {
            final int handle = map.scannedHandle(i);
            final FlowTable table = map.scannedKey(i, key).family() == IpFamily.IPV4 ? flows4 : flows6;
            if (!table.isLive(handle) || (table.marks(handle) & OFFLOADED) == 0 || table.lookup(key) != handle)
            {
                if (map.remove(key))
                {
                    counters.increment(OffloadCounter.ORPHANS);
                }
                continue;
            }
            fold(table, handle, map.scannedPackets(i), map.scannedBytes(i), map.scannedLastSeen(i), statistics);
            if (map.scannedState(i) == L4FlowMap.STATE_HANDED_BACK)
            {
                recall(table, handle, statistics);
                counters.increment(OffloadCounter.HANDED_BACK);
            }
        }
        return n;
    }

    /** Whether the backend MAC written for the offloaded flow of {@code handle} is {@code mac}. */
    boolean wroteBackendMac(final FlowTable table, final int handle, final long mac)
    {
        return side(table).get(ValueLayout.JAVA_LONG, (long)(handle >>> 1) * SIDE_BYTES + SIDE_MAC) == mac;
    }

    /** Adds what the program counted for a direction since the last fold to the flow and the statistics. */
    private void fold(
        final FlowTable table, final int handle, final long packets, final long bytes, final long lastSeen,
        final ProxyStatistics statistics)
    {
        final int direction = handle & 1;
        final MemorySegment side = side(table);
        final long at = (long)(handle >>> 1) * SIDE_BYTES + direction * 2L * Long.BYTES;
        final long newPackets = packets - side.get(ValueLayout.JAVA_LONG, at);
        final long newBytes = bytes - side.get(ValueLayout.JAVA_LONG, at + Long.BYTES);
        if (newPackets <= 0 && newBytes <= 0)
        {
            return;
        }
        side.set(ValueLayout.JAVA_LONG, at, packets);
        side.set(ValueLayout.JAVA_LONG, at + Long.BYTES, bytes);
        table.addTraffic(handle, direction, newPackets, newBytes, lastSeen);
        statistics.addTraffic(table.serviceIndex(handle), table.backendIndex(handle), direction, newPackets, newBytes);
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
        if (map != null)
        {
            map.close();
        }
        arena.close();
    }
}
