package io.marchproxy.dataplane.bpf;

import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.net.IpFamily;
import io.marchproxy.dataplane.packet.Checksums;
import io.marchproxy.ffm.libbpf.Libbpf;
import io.marchproxy.ffm.libc.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The offloaded flows of the L4 program (its map {@code l4_flows}): one entry per direction of a flow, keyed by the
 * frame's 5-tuple, holding what the frame becomes (addresses, ports, MACs, egress slot, the checksum deltas of that
 * rewrite) and what the program counted (packets, bytes, last seen, handed back). Entries are encoded into and decoded
 * from native buffers this object owns, so no operation allocates: writes are staged and committed in one batch,
 * reads and deletes go one entry at a time, and a scan walks the whole map a batch per call.
 *
 * <p>For the one thread that writes the flows (the L4 dataplane thread); {@link #close()} once it stopped. Failures are
 * returned, never thrown: the caller counts them and keeps the flow on its own path.
 */
public final class L4FlowMap implements AutoCloseable
{
    /** {@code state}: the program forwards the direction's frames. */
    public static final int STATE_FORWARDING = 0;
    /** {@code state}: a SYN, FIN or RST went to user space; the program forwards nothing more of this direction. */
    public static final int STATE_HANDED_BACK = 1;

    /** The folded checksum delta of an IPv4 TTL decrement: the (TTL, protocol) word loses 0x100, RFC 1624 eqn. 3. */
    static final int TTL_DECREMENT_DELTA = (int)Checksums.delta16(0x0100, 0x0000);

    private static final StructLayout KEY = L4Layouts.FLOW_KEY;
    private static final StructLayout VALUE = L4Layouts.FLOW_VALUE;
    private static final long KEY_BYTES = KEY.byteSize();
    private static final long VALUE_BYTES = VALUE.byteSize();
    private static final long K_FAMILY = offset(KEY, "family");
    private static final long K_PROTO = offset(KEY, "proto");
    private static final long K_SPORT = offset(KEY, "sport");
    private static final long K_SADDR = offset(KEY, "saddr");
    private static final long K_DADDR = offset(KEY, "daddr");
    private static final long V_SADDR = offset(VALUE, "saddr");
    private static final long V_DADDR = offset(VALUE, "daddr");
    private static final long V_SPORT = offset(VALUE, "sport");
    private static final long V_DMAC = offset(VALUE, "dmac");
    private static final long V_SMAC = offset(VALUE, "smac");
    private static final long V_IP_DELTA = offset(VALUE, "ip_csum_delta");
    private static final long V_L4_DELTA = offset(VALUE, "l4_csum_delta");
    private static final long V_EGRESS = offset(VALUE, "egress");
    private static final long V_HANDLE = offset(VALUE, "handle");
    private static final long V_STATE = offset(VALUE, "state");
    private static final long V_PACKETS = offset(VALUE, "packets");
    private static final long V_BYTES = offset(VALUE, "bytes");
    private static final long V_LAST_SEEN = offset(VALUE, "last_seen");

    /** Multi-byte members in network order (C's {@code __be16}, addresses). */
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** Host-order members (counters, egress, handle). */
    private static final ValueLayout.OfInt H32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong H64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private final BpfMap map;
    private final int capacity;
    private final int batch;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment keys;
    private final MemorySegment values;
    private final MemorySegment count;
    private final MemorySegment opts;
    private final MemorySegment inBatch;
    private final MemorySegment outBatch;
    private final MemorySegment key;
    private final MemorySegment value;
    /** Staged key and value {@code i} and everything after it: precomputed, so that nothing slices per call. */
    private final MemorySegment[] keysFrom;
    private final MemorySegment[] valuesFrom;
    private int staged;
    private int scanned;
    private boolean scanStarted;
    private int lastErrno;

    /**
     * The flow map {@code map} of a loaded L4 program, sized for {@code capacity} entries; writes are staged and scans
     * read up to {@code batch} entries at a time.
     */
    L4FlowMap(final BpfMap map, final int capacity, final int batch)
    {
        if (batch < 2)
        {
            throw new IllegalArgumentException("a batch holds both directions of a flow at least: " + batch);
        }
        this.map = map;
        this.capacity = capacity;
        this.batch = batch;
        this.keys = arena.allocate(KEY_BYTES * batch, 8);
        this.values = arena.allocate(VALUE_BYTES * batch, 8);
        this.count = arena.allocate(JAVA_INT);
        this.opts = arena.allocate(Libbpf.bpf_map_batch_opts);
        opts.set(ValueLayout.JAVA_LONG, Libbpf.bpf_map_batch_opts_sz, Libbpf.bpf_map_batch_opts.byteSize());
        opts.set(ValueLayout.JAVA_LONG, Libbpf.bpf_map_batch_opts_elem_flags, Libbpf.BPF_ANY);
        this.inBatch = arena.allocate(KEY_BYTES, 8);
        this.outBatch = arena.allocate(KEY_BYTES, 8);
        this.key = arena.allocate(KEY_BYTES, 8);
        this.value = arena.allocate(VALUE_BYTES, 8);
        this.keysFrom = new MemorySegment[batch];
        this.valuesFrom = new MemorySegment[batch];
        for (int i = 0; i < batch; i++)
        {
            keysFrom[i] = keys.asSlice(i * KEY_BYTES);
            valuesFrom[i] = values.asSlice(i * VALUE_BYTES);
        }
    }

    /** Entries the map holds at most (two per flow). */
    public int capacity()
    {
        return capacity;
    }

    /** Entries a batch stages or a scan step reads at most. */
    public int batch()
    {
        return batch;
    }

    /** The errno of the last failed operation, 0 if none failed yet. */
    public int lastErrno()
    {
        return lastErrno;
    }

    // ---- writes ----------------------------------------------------------------------------------------------------

    /** Entries staged and not committed. */
    public int staged()
    {
        return staged;
    }

    /**
     * Stages the entry of one direction of a flow: frames matching {@code key} are rewritten to {@code rewrite}'s
     * addresses and ports (same family and protocol), get {@code sourceMac} and {@code destinationMac} (low 48 bits),
     * and leave through egress slot {@code egress}; {@code handle} is returned with the entry's counters. False when
     * the batch is full (commit first).
     */
    public boolean stage(
        final FlowTuple key, final FlowTuple rewrite, final long sourceMac, final long destinationMac,
        final int egress, final int handle)
    {
        if (staged == batch)
        {
            return false;
        }
        final MemorySegment v = valuesFrom[staged];
        writeKey(keysFrom[staged], key);
        clear(v, VALUE_BYTES);
        final long addressDelta = writeAddresses(v, V_SADDR, V_DADDR, key, rewrite);
        v.set(BE16, V_SPORT, (short)rewrite.sourcePort());
        v.set(BE16, V_SPORT + 2, (short)rewrite.destinationPort());
        writeMac(v, V_DMAC, destinationMac);
        writeMac(v, V_SMAC, sourceMac);
        final long portDelta = Checksums.delta32((key.sourcePort() << 16) | key.destinationPort(),
            (rewrite.sourcePort() << 16) | rewrite.destinationPort());
        final int ipDelta = key.family() == IpFamily.IPV4 ? Checksums.fold(addressDelta + TTL_DECREMENT_DELTA) : 0;
        v.set(BE16, V_IP_DELTA, (short)ipDelta);
        v.set(BE16, V_L4_DELTA, (short)Checksums.fold(addressDelta + portDelta));
        v.set(H32, V_EGRESS, egress);
        v.set(H32, V_HANDLE, handle);
        staged++;
        return true;
    }

    /**
     * Writes the staged entries from position {@code from} in one batch and returns the position of the first entry
     * not written: {@link #staged()} when all were, else the one the kernel refused ({@link #lastErrno()} says why:
     * {@code E2BIG} when the map is full). Call again from past a refused entry to write the rest.
     */
    public int commit(final int from)
    {
        if (from >= staged)
        {
            return staged;
        }
        count.set(JAVA_INT, 0, staged - from);
        final int rc = Libbpf.bpf_map_update_batch(map.fd(), keysFrom[from], valuesFrom[from], count, opts);
        if (rc == 0)
        {
            return staged;
        }
        lastErrno = -rc;
        return from + count.get(JAVA_INT, 0);
    }

    /** The key staged at {@code position}, into {@code out}; returns {@code out}. */
    public FlowTuple stagedKey(final int position, final FlowTuple out)
    {
        return readKey(keysFrom[position], out);
    }

    /** The handle staged at {@code position}. */
    public int stagedHandle(final int position)
    {
        return values.get(H32, position * VALUE_BYTES + V_HANDLE);
    }

    /** Forgets the staged entries (after their commit). */
    public void clearStaged()
    {
        staged = 0;
    }

    // ---- single entries --------------------------------------------------------------------------------------------

    /** Reads the entry of {@code key} into the current entry (see {@link #packets()} and friends); false if absent. */
    public boolean read(final FlowTuple key)
    {
        writeKey(this.key, key);
        final int rc = Libbpf.bpf_map_lookup_elem(map.fd(), this.key, value);
        return found(rc);
    }

    /** Deletes the entry of {@code key}, reading it as it was into the current entry; false if it was absent. */
    public boolean remove(final FlowTuple key)
    {
        writeKey(this.key, key);
        final int rc = Libbpf.bpf_map_lookup_and_delete_elem(map.fd(), this.key, value);
        return found(rc);
    }

    private boolean found(final int rc)
    {
        if (rc == 0)
        {
            return true;
        }
        lastErrno = -rc;
        clear(value, VALUE_BYTES);
        return false;
    }

    /** Frames of the current entry the program forwarded. */
    public long packets()
    {
        return value.get(H64, V_PACKETS);
    }

    /** Bytes (whole frames) of the current entry the program forwarded. */
    public long bytes()
    {
        return value.get(H64, V_BYTES);
    }

    /** When the program last forwarded a frame of the current entry (CLOCK_MONOTONIC ns, coarse); 0 if never. */
    public long lastSeen()
    {
        return value.get(H64, V_LAST_SEEN);
    }

    /** {@link #STATE_FORWARDING} or {@link #STATE_HANDED_BACK}, of the current entry. */
    public int state()
    {
        return value.get(JAVA_BYTE, V_STATE);
    }

    // ---- scans -----------------------------------------------------------------------------------------------------

    /**
     * Reads the next batch of entries of a walk over the whole map and returns how many it read (see
     * {@link #scannedHandle} and friends); 0 once the walk is over, after which the next call starts a new one. A walk
     * that meets concurrent writes may miss or repeat entries, as the kernel's batch lookup does. Returns -1 (after
     * restarting the walk) when the kernel refused the read ({@link #lastErrno()}).
     */
    public int scan()
    {
        if (scanned < 0)
        {
            scanned = 0;
            scanStarted = false;
            return 0;
        }
        count.set(JAVA_INT, 0, batch);
        final int rc = Libbpf.bpf_map_lookup_batch(map.fd(), scanStarted ? inBatch : MemorySegment.NULL, outBatch,
            keys, values, count, opts);
        final int read = count.get(JAVA_INT, 0);
        if (rc == 0)
        {
            MemorySegment.copy(outBatch, 0, inBatch, 0, KEY_BYTES);
            scanStarted = true;
            scanned = read;
            return read;
        }
        scanStarted = false;
        if (rc == -Errno.ENOENT)
        {
            scanned = read > 0 ? -1 : 0; // the walk's last entries now, its end at the next call
            return read;
        }
        lastErrno = -rc;
        scanned = 0;
        return -1;
    }

    /** The handle written with scanned entry {@code i}. */
    public int scannedHandle(final int i)
    {
        return values.get(H32, i * VALUE_BYTES + V_HANDLE);
    }

    /** The key of scanned entry {@code i}, into {@code out}; returns {@code out}. */
    public FlowTuple scannedKey(final int i, final FlowTuple out)
    {
        return readKey(keysFrom[i], out);
    }

    public long scannedPackets(final int i)
    {
        return values.get(H64, i * VALUE_BYTES + V_PACKETS);
    }

    public long scannedBytes(final int i)
    {
        return values.get(H64, i * VALUE_BYTES + V_BYTES);
    }

    public long scannedLastSeen(final int i)
    {
        return values.get(H64, i * VALUE_BYTES + V_LAST_SEEN);
    }

    public int scannedState(final int i)
    {
        return values.get(JAVA_BYTE, i * VALUE_BYTES + V_STATE);
    }

    @Override
    public void close()
    {
        arena.close();
    }

    // ---- encoding --------------------------------------------------------------------------------------------------

    /** Zeroes the first {@code bytes} (a multiple of 8) of {@code s} without slicing it. */
    private static void clear(final MemorySegment s, final long bytes)
    {
        for (long at = 0; at < bytes; at += Long.BYTES)
        {
            s.set(H64, at, 0L);
        }
    }

    private static void writeKey(final MemorySegment k, final FlowTuple t)
    {
        clear(k, KEY_BYTES);
        k.set(JAVA_BYTE, K_FAMILY, (byte)t.family());
        k.set(JAVA_BYTE, K_PROTO, (byte)t.protocol());
        k.set(BE16, K_SPORT, (short)t.sourcePort());
        k.set(BE16, K_SPORT + 2, (short)t.destinationPort());
        writeAddress(k, K_SADDR, t.family(), t.sourceHi(), t.sourceLo());
        writeAddress(k, K_DADDR, t.family(), t.destinationHi(), t.destinationLo());
    }

    private static FlowTuple readKey(final MemorySegment k, final FlowTuple out)
    {
        final int family = k.get(JAVA_BYTE, K_FAMILY);
        final int protocol = k.get(JAVA_BYTE, K_PROTO) & 0xFF;
        final int sourcePort = k.get(BE16, K_SPORT) & 0xFFFF;
        final int destinationPort = k.get(BE16, K_SPORT + 2) & 0xFFFF;
        if (family == IpFamily.IPV4)
        {
            return out.set(family, protocol, 0, k.get(BE32, K_SADDR) & 0xFFFF_FFFFL, sourcePort,
                0, k.get(BE32, K_DADDR) & 0xFFFF_FFFFL, destinationPort);
        }
        return out.set(family, protocol, k.get(BE64, K_SADDR), k.get(BE64, K_SADDR + 8), sourcePort,
            k.get(BE64, K_DADDR), k.get(BE64, K_DADDR + 8), destinationPort);
    }

    /** Writes the rewrite's addresses and returns the unfolded checksum delta from the key's addresses to them. */
    private static long writeAddresses(
        final MemorySegment v, final long sourceAt, final long destinationAt, final FlowTuple from, final FlowTuple to)
    {
        writeAddress(v, sourceAt, to.family(), to.sourceHi(), to.sourceLo());
        writeAddress(v, destinationAt, to.family(), to.destinationHi(), to.destinationLo());
        if (to.family() == IpFamily.IPV4)
        {
            return Checksums.delta32((int)from.sourceLo(), (int)to.sourceLo())
                + Checksums.delta32((int)from.destinationLo(), (int)to.destinationLo());
        }
        return Checksums.delta128(from.sourceHi(), from.sourceLo(), to.sourceHi(), to.sourceLo())
            + Checksums.delta128(from.destinationHi(), from.destinationLo(), to.destinationHi(), to.destinationLo());
    }

    private static void writeAddress(final MemorySegment s, final long at, final int family, final long hi,
        final long lo)
    {
        if (family == IpFamily.IPV4)
        {
            s.set(BE32, at, (int)lo);
        }
        else
        {
            s.set(BE64, at, hi);
            s.set(BE64, at + 8, lo);
        }
    }

    private static void writeMac(final MemorySegment s, final long at, final long mac)
    {
        s.set(BE16, at, (short)(mac >>> 32));
        s.set(BE32, at + 2, (int)mac);
    }

    private static long offset(final StructLayout layout, final String member)
    {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(member));
    }
}
