package io.marchproxy.dataplane.bpf;

import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.net.IpFamily;
import io.marchproxy.dataplane.packet.Checksums;
import io.marchproxy.ffm.CallState;
import io.marchproxy.ffm.ErrnoException;
import io.marchproxy.ffm.libc.SysMman;
import io.marchproxy.ffm.libc.Unistd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The offloaded flows of the L4 program, written and read as memory: its map {@code l4_flow_slots} (an mmapable BPF
 * array) mapped into this process. Each direction of an offloaded flow takes a slot, found by open addressing: one of
 * {@value #PROBES} slots from its key's hash, computed as the program computes it ({@link #hash}). A slot holds the key,
 * what a matching frame becomes (addresses, ports, MACs, egress slot and the checksum deltas of that rewrite) and what
 * the program counted (packets, bytes, a recent last-seen time, handed back by a SYN, FIN or RST).
 *
 * <p>Publication, single writer: a slot is written only while it is empty and unused, and made live by storing its
 * state last with release semantics; the program reads the state first. An emptied slot is not reused before
 * {@link #QUARANTINE_NANOS} passed, so a frame the program was still forwarding from it never meets another flow's
 * fields, and its last increments land before the slot's final counts are read ({@link #drain}). On weakly ordered
 * CPUs the program's plain loads would need acquire semantics; it is built for x86-64, whose loads keep their order.
 *
 * <p>For the one thread that writes the flows (the L4 dataplane thread), which also reads the counts; nothing
 * allocates or makes a system call after construction. {@link #close()} unmaps, once that thread stopped.
 */
public final class L4FlowSlots implements AutoCloseable
{
    /** Slots a key may sit in, from its hash's ({@code FLOW_PROBES} in the C source). */
    public static final int PROBES = 4;
    /** A slot that holds no flow. */
    public static final int STATE_EMPTY = 0;
    /** A slot whose key's frames the program rewrites and forwards. */
    public static final int STATE_FORWARDING = 1;
    /** A SYN, FIN or RST went to user space; the program forwards nothing more of this direction. */
    public static final int STATE_HANDED_BACK = 2;
    /** What {@link #insert} returns when every slot the key may take is in use. */
    public static final int NO_SLOT = -1;
    /** An emptied slot is reused after this long: far longer than the program holds one for a frame. */
    public static final long QUARANTINE_NANOS = 10_000_000L;

    /** The folded checksum delta of an IPv4 TTL decrement: the (TTL, protocol) word loses 0x100, RFC 1624 eqn. 3. */
    static final int TTL_DECREMENT_DELTA = (int)Checksums.delta16(0x0100, 0x0000);

    private static final StructLayout SLOT = L4Layouts.FLOW_SLOT;
    private static final StructLayout KEY = L4Layouts.FLOW_KEY;
    private static final long SLOT_BYTES = SLOT.byteSize();
    private static final long KEY_BYTES = KEY.byteSize();
    private static final long STATE = offset(SLOT, "state");
    private static final long KEY_AT = offset(SLOT, "key");
    private static final long SADDR = offset(SLOT, "saddr");
    private static final long DADDR = offset(SLOT, "daddr");
    private static final long SPORT = offset(SLOT, "sport");
    private static final long DMAC = offset(SLOT, "dmac");
    private static final long SMAC = offset(SLOT, "smac");
    private static final long IP_DELTA = offset(SLOT, "ip_csum_delta");
    private static final long L4_DELTA = offset(SLOT, "l4_csum_delta");
    private static final long EGRESS = offset(SLOT, "egress");
    private static final long PACKETS = offset(SLOT, "packets");
    private static final long BYTES = offset(SLOT, "bytes");
    private static final long LAST_SEEN = offset(SLOT, "last_seen");
    private static final long K_FAMILY = offset(KEY, "family");
    private static final long K_PROTO = offset(KEY, "proto");
    private static final long K_SPORT = offset(KEY, "sport");
    private static final long K_SADDR = offset(KEY, "saddr");
    private static final long K_DADDR = offset(KEY, "daddr");
    private static final long HASH_MULTIPLIER = 0x9E3779B97F4A7C15L;
    private static final byte FREE = 0;
    private static final byte USED = 1;
    private static final byte QUARANTINED = 2;

    private static final VarHandle WORD = JAVA_LONG.varHandle();
    /** Multi-byte members in network order (C's {@code __be16}, addresses). */
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final Arena arena;
    private final MemorySegment slots;
    private final MemorySegment key;
    private final int capacity;
    private final int mask;
    /** The writer's own view of each slot: free, in use, or in quarantine (the state in memory may lag or lead). */
    private final byte[] use;
    /** Emptied slots in the order they were emptied, with when, and their counts then. */
    private final int[] quarantined;
    private final long[] emptiedAt;
    private final long[] countedPackets;
    private final long[] countedBytes;
    private int quarantineHead;
    private int quarantineSize;
    private int inUse;

    private L4FlowSlots(final Arena arena, final MemorySegment slots, final int capacity)
    {
        this.arena = arena;
        this.slots = slots;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.key = arena.allocate(KEY_BYTES, 8);
        this.use = new byte[capacity];
        this.quarantined = new int[capacity];
        this.emptiedAt = new long[capacity];
        this.countedPackets = new long[capacity];
        this.countedBytes = new long[capacity];
    }

    /**
     * Maps the flow slots of a loaded L4 program: {@code map} must be its {@code l4_flow_slots}, of {@code capacity}
     * slots (a power of two).
     */
    @SuppressWarnings("restricted") // gives the mapping its size and ties munmap to the arena
    static L4FlowSlots map(final BpfMap map, final int capacity)
    {
        if (capacity < PROBES || Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("flow slots must be a power of two >= " + PROBES + ": " + capacity);
        }
        final long page = Unistd.getpagesize();
        final long length = ((long)capacity * SLOT_BYTES + page - 1) / page * page;
        final MemorySegment mapped = SysMman.mmap(MemorySegment.NULL, length, SysMman.PROT_READ | SysMman.PROT_WRITE,
            SysMman.MAP_SHARED, map.fd(), 0);
        if (SysMman.failed(mapped))
        {
            throw new ErrnoException("mmap(" + map.name() + ", " + length + " bytes)", CallState.errno());
        }
        final Arena arena = Arena.ofShared();
        final MemorySegment slots = mapped.reinterpret(length, arena, s -> SysMman.munmap(s, length));
        return new L4FlowSlots(arena, slots, capacity);
    }

    /** {@return slots in all (two per flow)} */
    public int capacity()
    {
        return capacity;
    }

    /** {@return slots holding a flow's direction now (quarantined ones not included)} */
    public int inUse()
    {
        return inUse;
    }

    /**
     * Writes one direction of a flow into a free slot and makes it live: frames matching {@code key} are rewritten to
     * {@code rewrite}'s addresses and ports (same family and protocol), get {@code sourceMac} and
     * {@code destinationMac} (low 48 bits) and leave through egress slot {@code egress}. Slots in quarantine are not
     * taken ({@link #drain} frees them).
     *
     * @param key            the direction's 5-tuple as frames carry it
     * @param rewrite        what its frames become
     * @param sourceMac      the source MAC written into them (low 48 bits)
     * @param destinationMac the destination MAC written into them (low 48 bits)
     * @param egress         the egress slot they leave through
     * @return the slot, or {@link #NO_SLOT} when every slot the key may take is taken
     */
    public int insert(
        final FlowTuple key, final FlowTuple rewrite, final long sourceMac, final long destinationMac,
        final int egress)
    {
        writeKey(this.key, 0, key);
        final int home = hash(this.key);
        int slot = NO_SLOT;
        for (int i = 0; i < PROBES; i++)
        {
            final int candidate = (home + i) & mask;
            if (use[candidate] == FREE)
            {
                slot = candidate;
                break;
            }
        }
        if (slot == NO_SLOT)
        {
            return NO_SLOT;
        }
        final long at = (long)slot * SLOT_BYTES;
        // Not live: the program skips the slot whatever it reads below until the state says so.
        WORD.setVolatile(slots, at + STATE, (long)STATE_EMPTY);
        MemorySegment.copy(this.key, 0, slots, at + KEY_AT, KEY_BYTES);
        final long addressDelta = writeAddresses(at, key, rewrite);
        slots.set(BE16, at + SPORT, (short)rewrite.sourcePort());
        slots.set(BE16, at + SPORT + 2, (short)rewrite.destinationPort());
        writeMac(at + DMAC, destinationMac);
        writeMac(at + SMAC, sourceMac);
        final long portDelta = Checksums.delta32((key.sourcePort() << 16) | key.destinationPort(),
            (rewrite.sourcePort() << 16) | rewrite.destinationPort());
        final int ipDelta = key.family() == IpFamily.IPV4 ? Checksums.fold(addressDelta + TTL_DECREMENT_DELTA) : 0;
        slots.set(BE16, at + IP_DELTA, (short)ipDelta);
        slots.set(BE16, at + L4_DELTA, (short)Checksums.fold(addressDelta + portDelta));
        slots.set(ValueLayout.JAVA_INT, at + EGRESS, egress);
        slots.set(JAVA_LONG, at + PACKETS, 0L);
        slots.set(JAVA_LONG, at + BYTES, 0L);
        slots.set(JAVA_LONG, at + LAST_SEEN, 0L);
        WORD.setRelease(slots, at + STATE, (long)STATE_FORWARDING);
        use[slot] = USED;
        inUse++;
        return slot;
    }

    /**
     * Takes slot {@code slot} out of service at {@code now}: frames of its key go the ordinary way from here on. Its
     * counts as they are now stay readable ({@link #packets}) until it is reused; what the program still adds in the
     * next moments is reported by {@link #drain}.
     *
     * @param slot a slot {@link #insert} returned
     * @param now  the time now ({@code System.nanoTime()})
     */
    public void release(final int slot, final long now)
    {
        if (use[slot] != USED)
        {
            throw new IllegalStateException("flow slot " + slot + " is not in use");
        }
        final long at = (long)slot * SLOT_BYTES;
        WORD.setVolatile(slots, at + STATE, (long)STATE_EMPTY); // and a full fence: the counts are read after it
        use[slot] = QUARANTINED;
        inUse--;
        final int tail = (quarantineHead + quarantineSize) % capacity;
        quarantined[tail] = slot;
        emptiedAt[tail] = now;
        countedPackets[tail] = packets(slot);
        countedBytes[tail] = bytes(slot);
        quarantineSize++;
    }

    /**
     * Frees the slots emptied more than {@link #QUARANTINE_NANOS} before {@code now}, telling {@code late} (when not
     * null) about the frames the program forwarded from one after it was released.
     *
     * @param now  the time now ({@code System.nanoTime()})
     * @param late told about late frames, or null
     * @return the slots freed
     */
    public int drain(final long now, final LateFrames late)
    {
        int freed = 0;
        while (quarantineSize > 0 && now - emptiedAt[quarantineHead] >= QUARANTINE_NANOS)
        {
            final int slot = quarantined[quarantineHead];
            final long packets = packets(slot) - countedPackets[quarantineHead];
            if (packets > 0 && late != null)
            {
                late.counted(slot, packets, bytes(slot) - countedBytes[quarantineHead]);
            }
            use[slot] = FREE;
            quarantineHead = (quarantineHead + 1) % capacity;
            quarantineSize--;
            freed++;
        }
        return freed;
    }

    /** Told about frames forwarded from a slot just after it was released (see {@link #drain}). */
    @FunctionalInterface
    public interface LateFrames
    {
        /**
         * Frames the program forwarded from {@code slot} after it was released.
         *
         * @param slot    the slot
         * @param packets frames forwarded late
         * @param bytes   their bytes
         */
        void counted(int slot, long packets, long bytes);
    }

    /**
     * {@return frames the program forwarded from {@code slot} since it was written}
     *
     * @param slot the slot
     */
    public long packets(final int slot)
    {
        return (long)WORD.getAcquire(slots, (long)slot * SLOT_BYTES + PACKETS);
    }

    /**
     * {@return bytes (whole frames) the program forwarded from {@code slot} since it was written}
     *
     * @param slot the slot
     */
    public long bytes(final int slot)
    {
        return (long)WORD.getAcquire(slots, (long)slot * SLOT_BYTES + BYTES);
    }

    /**
     * {@return when the program last stamped {@code slot}} CLOCK_MONOTONIC ns, coarse: one frame in 64 is stamped.
     *
     * @param slot the slot
     */
    public long lastSeen(final int slot)
    {
        return (long)WORD.getAcquire(slots, (long)slot * SLOT_BYTES + LAST_SEEN);
    }

    /**
     * {@return the egress slot {@code slot} was written with}
     *
     * @param slot the slot
     */
    public int egress(final int slot)
    {
        return slots.get(ValueLayout.JAVA_INT, (long)slot * SLOT_BYTES + EGRESS);
    }

    /**
     * {@return {@link #STATE_EMPTY}, {@link #STATE_FORWARDING} or {@link #STATE_HANDED_BACK}}
     *
     * @param slot the slot
     */
    public int state(final int slot)
    {
        return (int)(long)WORD.getAcquire(slots, (long)slot * SLOT_BYTES + STATE);
    }

    /**
     * {@return {@code out}, holding the key of {@code slot}}
     *
     * @param slot the slot
     * @param out  where the key goes
     */
    public FlowTuple key(final int slot, final FlowTuple out)
    {
        final long at = (long)slot * SLOT_BYTES + KEY_AT;
        final int family = slots.get(ValueLayout.JAVA_BYTE, at + K_FAMILY);
        final int protocol = slots.get(ValueLayout.JAVA_BYTE, at + K_PROTO) & 0xFF;
        final int sourcePort = slots.get(BE16, at + K_SPORT) & 0xFFFF;
        final int destinationPort = slots.get(BE16, at + K_SPORT + 2) & 0xFFFF;
        if (family == IpFamily.IPV4)
        {
            return out.set(family, protocol, 0, slots.get(BE32, at + K_SADDR) & 0xFFFF_FFFFL, sourcePort,
                0, slots.get(BE32, at + K_DADDR) & 0xFFFF_FFFFL, destinationPort);
        }
        return out.set(family, protocol, slots.get(BE64, at + K_SADDR), slots.get(BE64, at + K_SADDR + 8), sourcePort,
            slots.get(BE64, at + K_DADDR), slots.get(BE64, at + K_DADDR + 8), destinationPort);
    }

    /**
     * The program's hash of the key at {@code at} in {@code keys}: five 64-bit words in the host's order, each mixed
     * in as {@code h = (h ^ w) * 0x9E3779B97F4A7C15}, folded to 32 bits ({@code flow_hash} in the C source).
     */
    static int hash(final MemorySegment keys)
    {
        long h = 0;
        for (int i = 0; i < 5; i++)
        {
            h = (h ^ keys.get(JAVA_LONG, (long)i * Long.BYTES)) * HASH_MULTIPLIER;
        }
        return (int)(h ^ (h >>> 32));
    }

    @Override
    public void close()
    {
        arena.close();
    }

    // ---- encoding --------------------------------------------------------------------------------------------------

    private static void writeKey(final MemorySegment k, final long at, final FlowTuple t)
    {
        for (long off = 0; off < KEY_BYTES; off += Long.BYTES)
        {
            k.set(JAVA_LONG, at + off, 0L);
        }
        k.set(ValueLayout.JAVA_BYTE, at + K_FAMILY, (byte)t.family());
        k.set(ValueLayout.JAVA_BYTE, at + K_PROTO, (byte)t.protocol());
        k.set(BE16, at + K_SPORT, (short)t.sourcePort());
        k.set(BE16, at + K_SPORT + 2, (short)t.destinationPort());
        writeAddress(k, at + K_SADDR, t.family(), t.sourceHi(), t.sourceLo());
        writeAddress(k, at + K_DADDR, t.family(), t.destinationHi(), t.destinationLo());
    }

    /** Writes the rewrite's addresses and returns the unfolded checksum delta from the key's addresses to them. */
    private long writeAddresses(final long at, final FlowTuple from, final FlowTuple to)
    {
        for (long off = 0; off < 2 * L4Layouts.ADDRESS_BYTES; off += Long.BYTES)
        {
            slots.set(JAVA_LONG, at + SADDR + off, 0L);
        }
        writeAddress(slots, at + SADDR, to.family(), to.sourceHi(), to.sourceLo());
        writeAddress(slots, at + DADDR, to.family(), to.destinationHi(), to.destinationLo());
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

    private void writeMac(final long at, final long mac)
    {
        slots.set(BE16, at, (short)(mac >>> 32));
        slots.set(BE32, at + 2, (int)mac);
    }

    private static long offset(final StructLayout layout, final String member)
    {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(member));
    }
}
