package io.marchproxy.dataplane.conntrack;

import io.marchproxy.dataplane.counter.SingleWriterCounters;
import io.marchproxy.dataplane.nat.NatRewriter;
import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.net.IpFamily;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.packet.Checksums;
import io.marchproxy.dataplane.packet.ParsedPacket;
import io.marchproxy.dataplane.packet.TcpHeader;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.Objects;

import static io.marchproxy.dataplane.conntrack.FlowLayout.BACKEND_OFFSET;
import static io.marchproxy.dataplane.conntrack.FlowLayout.CHECKSUM_DELTAS_OFFSET;
import static io.marchproxy.dataplane.conntrack.FlowLayout.COUNTERS_OFFSET;
import static io.marchproxy.dataplane.conntrack.FlowLayout.DIRECTION_COUNTER_BYTES;
import static io.marchproxy.dataplane.conntrack.FlowLayout.LAST_SEEN_OFFSET;
import static io.marchproxy.dataplane.conntrack.FlowLayout.MARKS_OFFSET;
import static io.marchproxy.dataplane.conntrack.FlowLayout.PORTS_OFFSET;
import static io.marchproxy.dataplane.conntrack.FlowLayout.PROTOCOL_OFFSET;
import static io.marchproxy.dataplane.conntrack.FlowLayout.SERVICE_OFFSET;
import static io.marchproxy.dataplane.conntrack.FlowLayout.SLOT_BYTES;
import static io.marchproxy.dataplane.conntrack.FlowLayout.SOURCE_OFFSET;
import static io.marchproxy.dataplane.conntrack.FlowLayout.STATE_OFFSET;
import static io.marchproxy.dataplane.conntrack.FlowLayout.TUPLES_OFFSET;

/**
 * The flows of one address family, both directions of each: the original key (client -> VIP:port) and the reply key
 * (backend:port -> node SNAT address:port) find the same record, which holds the service and backend indexes, the
 * TCP state, the last time a packet was seen and packet/byte counters per direction. The translation of a packet is
 * the other direction's key reversed (full NAT: an original packet leaves as node:snat -> backend, a reply as
 * VIP -> client), see {@link #translation}.
 *
 * <p>Memory: off-heap, from an {@link Arena} the table owns and frees in {@link #close()}: records of
 * {@value #IPV4_RECORD_BYTES} bytes (IPv4) or {@value #IPV6_RECORD_BYTES} (IPv6) per flow, plus an index of 8-byte
 * slots, 4 x maxFlows rounded up to a power of two (two keys per flow at a load factor of at most one half). 1,000,000
 * IPv4 flows take 80 MB of records and 32 MiB of index: 108.3 MiB, about 114 bytes per flow. Open addressing with
 * linear probing and backward-shift deletion (no tombstones, so probe lengths do not grow with churn); a slot keeps 32
 * bits of the key's hash (for IPv4 a hash of the table's own, seeded when it is made), so a probe reads a record only
 * when those match.
 *
 * <p>Handles: {@link #lookup}, {@link #hit} (the common packet of a flow in one call, its translation read),
 * {@link #hitAndRewrite} (the same with the packet rewritten from the record) and {@link #insert} return a handle,
 * {@code record << 1 | direction} (direction 0: original, 1: reply), valid until the flow is removed or expires.
 * Accessors take handles and do not check them.
 *
 * <p>Time: the table never reads a clock; {@link #insert}, {@link #touch} and {@link #expire} take the caller's
 * nanoseconds ({@code System.nanoTime()} or a cached per-batch value).
 *
 * <p>Threads: everything belongs to one dataplane thread, except {@link #counters()} (readable from any thread) and
 * {@link #close()} (once that thread stopped). Lookup, insert, touch, remove and expire are allocation-free and never
 * throw; a full table refuses inserts and counts them.
 */
public final class FlowTable implements AutoCloseable
{
    /** What {@link #lookup} returns for an unknown key. */
    public static final int NOT_FOUND = -1;
    /** {@link #insert}: no free record. */
    public static final int FULL = -2;
    /** {@link #insert}: one of the keys is already tracked. */
    public static final int EXISTS = -3;
    /** {@link #insert}: a tuple of the wrong family, a protocol other than TCP/UDP, or both keys equal. */
    public static final int INVALID = -4;
    /**
     * {@link #hit}: the key is tracked, but as the other direction's key, or its flow is closed or carries the owner's
     * marks; nothing was changed (look it up and handle it the long way).
     */
    public static final int UNTOUCHED = -5;
    /**
     * {@link #hitAndRewrite}: the packet was counted, as {@link #hit} counts it, but its TTL or hop limit would reach
     * 0; nothing was written.
     */
    public static final int TTL_EXPIRED = -6;

    /** Bytes of an IPv4 flow record. */
    public static final int IPV4_RECORD_BYTES = 80;
    /** Bytes of an IPv6 flow record. */
    public static final int IPV6_RECORD_BYTES = 128;
    /** Most flows one table holds (handles keep a record number in 30 bits). */
    public static final int MAX_FLOWS = 1 << 29;

    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int NO_RECORD = -1;
    /** Where the FIN bits, the protocol and the marks sit in the record's first word (records are little-endian). */
    private static final int FIN_SHIFT = FlowLayout.FIN_OFFSET * Byte.SIZE;
    private static final int PROTOCOL_SHIFT = PROTOCOL_OFFSET * Byte.SIZE;
    private static final int MARKS_SHIFT = MARKS_OFFSET * Byte.SIZE;
    private static final int KEPT_BY_TOUCH = 0xFF << PROTOCOL_SHIFT | 0xFF << MARKS_SHIFT;
    private static final int UDP_CODE = FlowState.UDP.code();
    private static final int ESTABLISHED_CODE = FlowState.ESTABLISHED.code();
    private static final int CLOSED_CODE = FlowState.CLOSED.code();
    /** Odd multipliers of the index's IPv4 hash (those of MurmurHash3's finalizer and of SplitMix64's golden gamma). */
    private static final long TAG_ADDRESSES = 0x9E37_79B9_7F4A_7C15L;
    private static final long TAG_PORTS = 0xC4CE_B9FE_1A85_EC53L;
    private static final long TAG_FINAL = 0xFF51_AFD7_ED55_8CCDL;

    private final Arena arena;
    private final FlowLayout layout;
    private final FlowTimeouts timeouts;
    private final int maxFlows;
    private final long slotMask;
    private final MemorySegment index;
    private final MemorySegment records;
    private final SingleWriterCounters counters = SingleWriterCounters.forEnum(FlowTableCounter.class);
    private final FlowTuple scratch = new FlowTuple();
    private final boolean ipv4;
    /** This table's seeds of the index's IPv4 hash (see {@link #tag}). */
    private final long addressSeed;
    private final long portSeed;
    /** The layout's sizes as fields of this class, so the hot path multiplies without a second object's load. */
    private final int recordBytes;
    private final int tupleBytes;
    private final int destinationOffset;
    private int size;
    private int freeHead = NO_RECORD;
    private int neverUsed;
    private int sweepCursor;

    /**
     * A table for up to {@code maxFlows} flows of {@code family} ({@code IpFamily.IPV4} or {@code IpFamily.IPV6}),
     * evicting idle flows by {@code timeouts}. Allocates and zeroes all its memory now.
     *
     * @param family {@code IpFamily.IPV4} or {@code IpFamily.IPV6}
     * @param maxFlows the most flows tracked at once
     * @param timeouts idle timeouts by state
     */
    public FlowTable(final int family, final int maxFlows, final FlowTimeouts timeouts)
    {
        if (maxFlows < 1 || maxFlows > MAX_FLOWS)
        {
            throw new IllegalArgumentException("maxFlows must be 1.." + MAX_FLOWS + ": " + maxFlows);
        }
        this.layout = new FlowLayout(family);
        this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
        this.maxFlows = maxFlows;
        this.ipv4 = family == IpFamily.IPV4;
        this.recordBytes = layout.recordBytes;
        this.tupleBytes = layout.tupleBytes;
        this.destinationOffset = layout.destination();
        final long slots = FlowLayout.slots(maxFlows);
        this.slotMask = slots - 1;
        this.arena = Arena.ofShared();
        this.index = arena.allocate(slots * SLOT_BYTES, 64);
        this.records = arena.allocate((long)maxFlows * layout.recordBytes, 64);
        final SecureRandom random = new SecureRandom();
        this.addressSeed = random.nextLong();
        this.portSeed = random.nextLong();
    }

    /** {@return the address family of the flows} */
    public int family()
    {
        return layout.family;
    }

    /** {@return flows tracked now} */
    public int size()
    {
        return size;
    }

    /** {@return flows the table can hold} */
    public int capacity()
    {
        return maxFlows;
    }

    /** {@return off-heap bytes the table holds (records and index)} */
    public long memoryBytes()
    {
        return index.byteSize() + records.byteSize();
    }

    /** {@return counters indexed by {@link FlowTableCounter}; any thread} */
    public SingleWriterCounters counters()
    {
        return counters;
    }

    /**
     * {@return the handle of the flow whose original or reply key is {@code key}, or {@link #NOT_FOUND}}
     *
     * @param key a packet's 5-tuple
     */
    public int lookup(final FlowTuple key)
    {
        final int tag = tag(key);
        long slot = tag & slotMask;
        while (true)
        {
            final long entry = index.getAtIndex(ValueLayout.JAVA_LONG, slot);
            if (entry == 0)
            {
                return NOT_FOUND;
            }
            if ((int)(entry >>> 32) == tag)
            {
                final int handle = (int)entry - 1;
                if (keyEquals(handle, key))
                {
                    return handle;
                }
            }
            slot = (slot + 1) & slotMask;
        }
    }

    /**
     * The common packet of a tracked flow in one call: {@link #lookup}, then, when {@code key} is the flow's key of
     * {@code direction} and the flow is neither closed nor marked (see {@link #marks(int)}), {@link #touch} and
     * {@link #translation} into {@code translation}, reading the record once. Returns that handle; {@link #NOT_FOUND}
     * for an unknown key; {@link #UNTOUCHED}, with nothing changed, for a tracked key that is not such a packet (the
     * other direction's key, a closed or marked flow), which the caller looks up and handles on its own.
     *
     * @param key a packet's 5-tuple
     * @param direction the direction the caller expects the key in: 0 original (from a client), 1 reply
     * @param now the caller's clock, nanoseconds
     * @param bytes the packet's length
     * @param tcpFlags the packet's TCP flags (0 for UDP)
     * @param translation where the rewrite goes (see {@link #translation}); unspecified unless a handle is returned
     * @return the handle, {@link #NOT_FOUND} or {@link #UNTOUCHED}
     */
    public int hit(
        final FlowTuple key,
        final int direction,
        final long now,
        final int bytes,
        final int tcpFlags,
        final FlowTuple translation)
    {
        final int handle = touchIfExpected(key, direction, now, bytes, tcpFlags);
        if (handle >= 0)
        {
            // The key's protocol is the flow's: the lookup compared them.
            if (ipv4)
            {
                readKey4(recordBase(handle), direction ^ 1, true, key.protocol(), translation);
            }
            else
            {
                readKey6(handle, direction ^ 1, true, translation);
            }
        }
        return handle;
    }

    /**
     * {@link #hit} without the translation: the handle of {@code key}, the packet counted, or {@link #NOT_FOUND} or
     * {@link #UNTOUCHED}.
     */
    private int touchIfExpected(
        final FlowTuple key, final int direction, final long now, final int bytes, final int tcpFlags)
    {
        final int handle = lookup(key);
        if (handle < 0)
        {
            return NOT_FOUND;
        }
        // The record's header word (state, protocol, marks) read once for the checks and the count (for IPv4, the same
        // read the key comparison made).
        final long base = recordBase(handle);
        final int header = records.get(I32, base + STATE_OFFSET);
        if ((handle & 1) != direction || (header >>> MARKS_SHIFT) != 0 || (header & 0xFF) == CLOSED_CODE)
        {
            return UNTOUCHED;
        }
        count(base, header, direction, now, bytes, tcpFlags);
        return handle;
    }

    /**
     * The common packet of a tracked flow with its rewrite, in one call: what {@link #hit} does, then the packet
     * translated for the other side of its flow (full NAT: addresses, ports, TTL or hop limit, checksums, as
     * {@link NatRewriter#translate} does with {@link #translation}) straight from the record, reading it once. An IPv4
     * flow's checksum deltas were computed when it was inserted and stay in its record, so a packet costs no delta
     * arithmetic and no translation tuple. The MACs are left to the caller ({@link NatRewriter#rewriteMacs}), who knows
     * the next hop only once the flow is found. Returns the handle; {@link #NOT_FOUND} or {@link #UNTOUCHED} as
     * {@link #hit} does, with the packet unchanged; {@link #TTL_EXPIRED}, the packet counted and unchanged.
     *
     * @param key the packet's 5-tuple
     * @param direction the direction the caller expects the key in: 0 original (from a client), 1 reply
     * @param now the caller's clock, nanoseconds
     * @param bytes the packet's length
     * @param tcpFlags the packet's TCP flags (0 for UDP)
     * @param packet the parsed TCP or UDP packet whose tuple {@code key} is, of this table's family
     * @return the handle, {@link #NOT_FOUND}, {@link #UNTOUCHED} or {@link #TTL_EXPIRED}
     */
    public int hitAndRewrite(
        final FlowTuple key,
        final int direction,
        final long now,
        final int bytes,
        final int tcpFlags,
        final ParsedPacket packet)
    {
        final int handle = touchIfExpected(key, direction, now, bytes, tcpFlags);
        if (handle < 0)
        {
            return handle;
        }
        final boolean translated;
        if (ipv4)
        {
            // The other direction's key reversed: its destination becomes the source, its ports swap. A reply's deltas
            // are the complements of the stored ones (see FlowLayout).
            final long base = recordBase(handle);
            final long at = base + TUPLES_OFFSET + (direction ^ 1) * tupleBytes;
            final long portsAndSource = records.get(I64, at + PORTS_OFFSET);
            final int ports = (int)portsAndSource;
            final int deltas = records.get(I32, base + CHECKSUM_DELTAS_OFFSET) ^ -direction;
            translated = NatRewriter.translateIpv4(packet, records.get(I32, at + destinationOffset),
                (int)(portsAndSource >>> 32), ports << 16 | ports >>> 16, deltas & 0xFFFF, deltas >>> 16);
        }
        else
        {
            translated = NatRewriter.translate(packet, readKey6(handle, direction ^ 1, true, scratch));
        }
        return translated ? handle : TTL_EXPIRED;
    }

    /**
     * Tracks a new flow: {@code original} is the client's key (client -> VIP:port), {@code reply} the backend's
     * (backend:port -> SNAT address:port). TCP flows start in SYN_SENT when {@code tcpFlags} is a SYN without ACK,
     * else ESTABLISHED (picked up mid-stream); UDP flows in UDP. The first packet is counted in the original
     * direction with {@code bytes}. Returns the handle of the original direction, or {@link #FULL}, {@link #EXISTS},
     * {@link #INVALID} (each counted).
     *
     * @param original the client's key
     * @param reply the backend's key
     * @param serviceIndex the flow's service
     * @param backendIndex the flow's backend
     * @param now the caller's clock, nanoseconds
     * @param bytes the first packet's length
     * @param tcpFlags the first packet's TCP flags (0 for UDP)
     * @return the original direction's handle, or {@link #NOT_FOUND} when the table is full (counted)
     */
    public int insert(
        final FlowTuple original,
        final FlowTuple reply,
        final int serviceIndex,
        final int backendIndex,
        final long now,
        final int tcpFlags,
        final int bytes)
    {
        final int protocol = original.protocol();
        if (original.family() != layout.family || reply.family() != layout.family || reply.protocol() != protocol
            || L4Protocol.ofNumber(protocol) == null || original.matches(reply))
        {
            counters.increment(FlowTableCounter.INSERT_INVALID);
            return INVALID;
        }
        if (lookup(original) != NOT_FOUND || lookup(reply) != NOT_FOUND)
        {
            counters.increment(FlowTableCounter.INSERT_EXISTS);
            return EXISTS;
        }
        final int record = allocateRecord();
        if (record == NO_RECORD)
        {
            counters.increment(FlowTableCounter.INSERT_FULL);
            return FULL;
        }
        final long base = recordAt(record);
        records.set(I32, base + STATE_OFFSET, 0);
        records.set(U8, base + STATE_OFFSET, (byte)initialState(protocol, tcpFlags).code());
        records.set(U8, base + PROTOCOL_OFFSET, (byte)protocol);
        records.set(I32, base + SERVICE_OFFSET, serviceIndex);
        records.set(I32, base + BACKEND_OFFSET, backendIndex);
        records.set(I64, base + LAST_SEEN_OFFSET, now);
        records.set(I64, base + FlowLayout.packets(0), 1);
        records.set(I64, base + FlowLayout.packets(0) + 8, bytes);
        records.set(I64, base + FlowLayout.packets(1), 0);
        records.set(I64, base + FlowLayout.packets(1) + 8, 0);
        writeTuple(base + layout.tuple(0), original);
        writeTuple(base + layout.tuple(1), reply);
        if (ipv4)
        {
            records.set(I32, base + CHECKSUM_DELTAS_OFFSET, checksumDeltas4(original, reply));
        }
        addSlot(tag(original), record << 1);
        addSlot(tag(reply), (record << 1) | 1);
        size++;
        counters.increment(FlowTableCounter.INSERTED);
        return record << 1;
    }

    /**
     * A packet of the flow arrived in the direction of {@code handle}: updates last-seen, that direction's counters and
     * the TCP state from {@code tcpFlags} (ignored for UDP). Returns the new state.
     *
     * @param handle the handle the packet matched
     * @param now the caller's clock, nanoseconds
     * @param bytes the packet's length
     * @param tcpFlags the packet's TCP flags (0 for UDP)
     * @return the flow's state after the packet
     */
    public FlowState touch(final int handle, final long now, final int bytes, final int tcpFlags)
    {
        final long base = recordBase(handle);
        // State, protocol and FIN bits are the record's first three bytes: one little-endian read, state lowest.
        return count(base, records.get(I32, base + STATE_OFFSET), handle & 1, now, bytes, tcpFlags);
    }

    /**
     * What {@link #touch} does to the record at {@code base} whose header word is {@code header}: last seen, the
     * direction's counters, the TCP state.
     */
    private FlowState count(
        final long base, final int header, final int direction, final long now, final int bytes, final int tcpFlags)
    {
        final long packetsAt = base + COUNTERS_OFFSET + direction * DIRECTION_COUNTER_BYTES;
        records.set(I64, base + LAST_SEEN_OFFSET, now);
        records.set(I64, packetsAt, records.get(I64, packetsAt) + 1);
        records.set(I64, packetsAt + 8, records.get(I64, packetsAt + 8) + bytes);
        final int code = header & 0xFF;
        if (code == UDP_CODE)
        {
            return FlowState.UDP;
        }
        if (code == ESTABLISHED_CODE && (tcpFlags & (TcpHeader.FIN | TcpHeader.RST)) == 0)
        {
            return FlowState.ESTABLISHED; // the packets of an established flow change no state
        }
        return transition(base, header, direction, tcpFlags);
    }

    /** The TCP state machine's step for a packet that may change the state of the flow at {@code base}. */
    private FlowState transition(final long base, final int header, final int direction, final int tcpFlags)
    {
        final FlowState state = FlowState.ofCode(header & 0xFF);
        if (state == null || state == FlowState.UDP)
        {
            return state;
        }
        final int fins = (header >>> FIN_SHIFT) & 0xFF;
        final FlowState next = TcpTransitions.next(state, direction, tcpFlags, fins);
        final int nextFins = TcpTransitions.fins(next, direction, tcpFlags, fins);
        if (next != state || nextFins != fins)
        {
            records.set(I32, base + STATE_OFFSET, (header & KEPT_BY_TOUCH) | next.code() | (nextFins << FIN_SHIFT));
        }
        return next;
    }

    /**
     * Adds {@code packets} and {@code bytes} seen in {@code direction} (0 original, 1 reply) elsewhere than through
     * {@link #touch} (frames an XDP program forwarded, say), and moves the last-seen time forward to {@code lastSeen}
     * if that is later. The TCP state does not change.
     *
     * @param handle    the flow's handle
     * @param direction 0 original, 1 reply
     * @param packets   packets to add
     * @param bytes     bytes to add
     * @param lastSeen  when the last of them was seen ({@code System.nanoTime()})
     */
    public void addTraffic(final int handle, final int direction, final long packets, final long bytes,
        final long lastSeen)
    {
        final long base = recordBase(handle);
        final long packetsAt = base + FlowLayout.packets(direction);
        records.set(I64, packetsAt, records.get(I64, packetsAt) + packets);
        records.set(I64, packetsAt + 8, records.get(I64, packetsAt + 8) + bytes);
        if (lastSeen - records.get(I64, base + LAST_SEEN_OFFSET) > 0)
        {
            records.set(I64, base + LAST_SEEN_OFFSET, lastSeen);
        }
    }

    /**
     * Eight bits the table keeps for its owner with each flow, 0 when the flow is inserted and never changed by the
     * table (the L4 proxy marks offloaded flows with them).
     *
     * @param handle the flow's handle
     * @return the eight bits
     */
    public int marks(final int handle)
    {
        return records.get(U8, recordBase(handle) + MARKS_OFFSET) & 0xFF;
    }

    /**
     * Sets the owner's eight bits of the flow (see {@link #marks(int)}).
     *
     * @param handle the flow's handle
     * @param marks  the eight bits
     */
    public void marks(final int handle, final int marks)
    {
        records.set(U8, recordBase(handle) + MARKS_OFFSET, (byte)marks);
    }

    /**
     * One past the highest record number ever used: every live flow's handle is {@code record << 1} for a record
     * below it (see {@link #isLive}), for walks over all flows.
     *
     * @return the limit
     */
    public int recordLimit()
    {
        return neverUsed;
    }

    /**
     * {@return true when record {@code handle >>> 1} holds a flow} For walks: {@code handle} need not be a live one.
     *
     * @param handle a handle below {@code recordLimit() << 1}
     */
    public boolean isLive(final int handle)
    {
        return (handle >>> 1) < neverUsed && records.get(U8, recordBase(handle) + STATE_OFFSET) != 0;
    }

    /**
     * Stops tracking the flow of {@code handle} (either direction's handle); counted.
     *
     * @param handle either direction's handle
     */
    public void remove(final int handle)
    {
        removeRecord(handle >>> 1);
        counters.increment(FlowTableCounter.REMOVED);
    }

    /**
     * Visits at most {@code maxRecords} records from where the last call stopped (wrapping around) and evicts the
     * flows idle for longer than their state's timeout at {@code now}, calling {@code handler} for each before its
     * record is freed. Returns the number evicted (counted as EXPIRED). Call it every turn with a small budget, so
     * that a sweep of the whole table is spread over many turns.
     *
     * @param now the caller's clock, nanoseconds
     * @param maxRecords the most records to visit
     * @param handler told of each flow before it is evicted, or null
     * @return how many flows were evicted
     */
    public int expire(final long now, final int maxRecords, final ExpiredFlowHandler handler)
    {
        int evicted = 0;
        for (int visited = 0; visited < maxRecords && neverUsed > 0; visited++)
        {
            if (sweepCursor >= neverUsed)
            {
                sweepCursor = 0;
            }
            final int record = sweepCursor++;
            final long base = recordAt(record);
            final FlowState state = FlowState.ofCode(records.get(U8, base + STATE_OFFSET));
            if (state != null && now - records.get(I64, base + LAST_SEEN_OFFSET) > timeouts.of(state))
            {
                handler.beforeExpiry(this, record << 1);
                final FlowState after = FlowState.ofCode(records.get(U8, base + STATE_OFFSET));
                if (after == null || now - records.get(I64, base + LAST_SEEN_OFFSET) <= timeouts.of(after))
                {
                    continue;
                }
                handler.onExpired(this, record << 1);
                removeRecord(record);
                counters.increment(FlowTableCounter.EXPIRED);
                evicted++;
            }
        }
        return evicted;
    }

    /**
     * {@return the service index of the flow}
     *
     * @param handle either direction's handle
     */
    public int serviceIndex(final int handle)
    {
        return records.get(I32, recordBase(handle) + SERVICE_OFFSET);
    }

    /**
     * {@return the backend index of the flow}
     *
     * @param handle either direction's handle
     */
    public int backendIndex(final int handle)
    {
        return records.get(I32, recordBase(handle) + BACKEND_OFFSET);
    }

    /**
     * {@return the state of the flow}
     *
     * @param handle either direction's handle
     */
    public FlowState state(final int handle)
    {
        return FlowState.ofCode(records.get(U8, recordBase(handle) + STATE_OFFSET));
    }

    /**
     * {@return the caller's time of the flow's last packet}
     *
     * @param handle either direction's handle
     */
    public long lastSeen(final int handle)
    {
        return records.get(I64, recordBase(handle) + LAST_SEEN_OFFSET);
    }

    /**
     * {@return packets seen in {@code direction} (0 original, 1 reply)}
     *
     * @param handle either direction's handle
     * @param direction 0 original, 1 reply
     */
    public long packets(final int handle, final int direction)
    {
        return records.get(I64, recordBase(handle) + FlowLayout.packets(direction));
    }

    /**
     * {@return bytes seen in {@code direction} (0 original, 1 reply)}
     *
     * @param handle either direction's handle
     * @param direction 0 original, 1 reply
     */
    public long bytes(final int handle, final int direction)
    {
        return records.get(I64, recordBase(handle) + FlowLayout.packets(direction) + 8);
    }

    /**
     * {@return the direction of a handle: 0 original (client to VIP), 1 reply (backend to node)}
     *
     * @param handle a handle
     */
    public static int direction(final int handle)
    {
        return handle & 1;
    }

    /**
     * Writes the key of {@code direction} of the flow into {@code out}. Returns {@code out}.
     *
     * @param handle either direction's handle
     * @param direction 0 original, 1 reply
     * @param out where the key goes
     * @return {@code out}
     */
    public FlowTuple key(final int handle, final int direction, final FlowTuple out)
    {
        return ipv4 ? readKey4(handle, direction, false, out) : readKey6(handle, direction, false, out);
    }

    /**
     * Writes into {@code out} what a packet in the direction of {@code handle} must be rewritten to: the other
     * direction's key reversed. For an original packet: SNAT address:port -> backend:port; for a reply:
     * VIP:port -> client:port. Returns {@code out}.
     *
     * @param handle the handle the packet matched
     * @param out where the rewrite goes
     * @return {@code out}
     */
    public FlowTuple translation(final int handle, final FlowTuple out)
    {
        return ipv4 ? readKey4(handle, (handle & 1) ^ 1, true, out) : readKey6(handle, (handle & 1) ^ 1, true, out);
    }

    private FlowTuple readKey4(final int handle, final int direction, final boolean reversed, final FlowTuple out)
    {
        final long base = recordBase(handle);
        return readKey4(base, direction, reversed, records.get(U8, base + PROTOCOL_OFFSET), out);
    }

    private FlowTuple readKey4(
        final long base, final int direction, final boolean reversed, final int protocol, final FlowTuple out)
    {
        final long at = base + TUPLES_OFFSET + direction * tupleBytes;
        // Ports and source are adjacent (little-endian: ports in the low half): one 64-bit read for both.
        final long portsAndSource = records.get(I64, at + PORTS_OFFSET);
        final int ports = (int)portsAndSource;
        final long source = portsAndSource >>> 32;
        final long destination = records.get(I32, at + destinationOffset) & 0xFFFF_FFFFL;
        return reversed
            ? out.set(IpFamily.IPV4, protocol, 0, destination, ports & 0xFFFF, 0, source, ports >>> 16)
            : out.set(IpFamily.IPV4, protocol, 0, source, ports >>> 16, 0, destination, ports & 0xFFFF);
    }

    private FlowTuple readKey6(final int handle, final int direction, final boolean reversed, final FlowTuple out)
    {
        final long base = recordBase(handle);
        final long at = base + layout.tuple(direction);
        final int protocol = records.get(U8, base + PROTOCOL_OFFSET);
        final int ports = records.get(I32, at + PORTS_OFFSET);
        final int first = reversed ? ports & 0xFFFF : ports >>> 16;
        final int second = reversed ? ports >>> 16 : ports & 0xFFFF;
        final long sourceAt = at + (reversed ? layout.destination() : SOURCE_OFFSET);
        final long destinationAt = at + (reversed ? SOURCE_OFFSET : layout.destination());
        return out.set(IpFamily.IPV6, protocol, records.get(I64, sourceAt), records.get(I64, sourceAt + 8), first,
            records.get(I64, destinationAt), records.get(I64, destinationAt + 8), second);
    }

    /** Frees the table's memory; the table must not be used afterwards. Call once the owning thread stopped. */
    @Override
    public void close()
    {
        arena.close();
    }

    private long recordBase(final int handle)
    {
        return recordAt(handle >>> 1);
    }

    /** The offset of record {@code record} in the records segment. */
    private long recordAt(final int record)
    {
        return (long)record * recordBytes;
    }

    private static FlowState initialState(final int protocol, final int tcpFlags)
    {
        if (protocol == L4Protocol.UDP.number())
        {
            return FlowState.UDP;
        }
        return TcpTransitions.isOpeningSyn(tcpFlags) ? FlowState.SYN_SENT : FlowState.ESTABLISHED;
    }

    private int allocateRecord()
    {
        if (freeHead != NO_RECORD)
        {
            final int record = freeHead;
            freeHead = records.get(I32, recordAt(record) + SERVICE_OFFSET);
            return record;
        }
        return neverUsed < maxFlows ? neverUsed++ : NO_RECORD;
    }

    private void removeRecord(final int record)
    {
        final long base = recordAt(record);
        removeSlot(tag(key(record << 1, 0, scratch)), record << 1);
        removeSlot(tag(key(record << 1, 1, scratch)), (record << 1) | 1);
        records.set(U8, base + STATE_OFFSET, (byte)0);
        records.set(I32, base + SERVICE_OFFSET, freeHead);
        freeHead = record;
        size--;
    }

    private boolean keyEquals(final int handle, final FlowTuple key)
    {
        return ipv4 ? keyEquals4(handle, key) : keyEquals6(handle, key);
    }

    /** An IPv4 key: protocol, ports, and both addresses as one 64-bit little-endian read (source in the low half). */
    private boolean keyEquals4(final int handle, final FlowTuple key)
    {
        final long base = recordBase(handle);
        final long at = base + TUPLES_OFFSET + (handle & 1) * tupleBytes;
        // The protocol from the record's header word, the same read hit makes next: one load once both are inlined.
        return key.family() == IpFamily.IPV4
            && ((records.get(I32, base + STATE_OFFSET) >>> PROTOCOL_SHIFT) & 0xFF) == key.protocol()
            && records.get(I32, at + PORTS_OFFSET) == ((key.sourcePort() << 16) | key.destinationPort())
            && records.get(I64, at + SOURCE_OFFSET) == ((key.destinationLo() << 32) | (key.sourceLo() & 0xFFFF_FFFFL));
    }

    private boolean keyEquals6(final int handle, final FlowTuple key)
    {
        final long base = recordBase(handle);
        final long at = base + layout.tuple(handle & 1);
        if (records.get(U8, base + PROTOCOL_OFFSET) != (byte)key.protocol() || key.family() != IpFamily.IPV6
            || records.get(I32, at + PORTS_OFFSET) != ((key.sourcePort() << 16) | key.destinationPort()))
        {
            return false;
        }
        final long sourceAt = at + SOURCE_OFFSET;
        final long destinationAt = at + layout.destination();
        return records.get(I64, sourceAt) == key.sourceHi() && records.get(I64, sourceAt + 8) == key.sourceLo()
            && records.get(I64, destinationAt) == key.destinationHi()
            && records.get(I64, destinationAt + 8) == key.destinationLo();
    }

    /**
     * The checksum deltas of an original packet's rewrite (see {@link FlowLayout}): source to the reply's destination
     * (the SNAT address), destination to the reply's source (the backend), ports likewise.
     */
    private static int checksumDeltas4(final FlowTuple original, final FlowTuple reply)
    {
        final int addresses = Checksums.fold(Checksums.delta32((int)original.sourceLo(), (int)reply.destinationLo())
            + Checksums.delta32((int)original.destinationLo(), (int)reply.sourceLo()));
        final int ports = Checksums.fold(Checksums.delta32(original.sourcePort() << 16 | original.destinationPort(),
            reply.destinationPort() << 16 | reply.sourcePort()));
        return ports << 16 | addresses;
    }

    private void writeTuple(final long at, final FlowTuple tuple)
    {
        records.set(I32, at + PORTS_OFFSET, (tuple.sourcePort() << 16) | tuple.destinationPort());
        final long sourceAt = at + SOURCE_OFFSET;
        final long destinationAt = at + layout.destination();
        if (ipv4)
        {
            records.set(I32, sourceAt, (int)tuple.sourceLo());
            records.set(I32, destinationAt, (int)tuple.destinationLo());
        }
        else
        {
            records.set(I64, sourceAt, tuple.sourceHi());
            records.set(I64, sourceAt + 8, tuple.sourceLo());
            records.set(I64, destinationAt, tuple.destinationHi());
            records.set(I64, destinationAt + 8, tuple.destinationLo());
        }
    }

    /**
     * The 32 bits of a key's hash the index keeps and probes from (the low ones pick the home slot). An IPv4 key's:
     * its addresses as one word and its protocol and ports as another, each mixed with a seed of this table and
     * multiplied (side by side), their sum folded and multiplied once more, and the high half taken; two
     * multiplications deep where {@link FlowTuple#hash} is three, on the way of every packet. The seeds are the
     * table's own, drawn when it is made, so keys that crowd one slot cannot be worked out in advance. IPv6 keys:
     * {@link FlowTuple#hash}. (One multiplication deep, each word's 128-bit product folded, was 1.5-2 ns faster on the
     * per-packet path but 25 ns slower for lookups of a million flows that miss the caches: FlowTableBenchmark.)
     */
    private int tag(final FlowTuple key)
    {
        if (key.family() != IpFamily.IPV4)
        {
            return (int)key.hash();
        }
        final long addresses = key.sourceLo() << 32 | key.destinationLo();
        final long rest = (long)key.protocol() << 32 | (key.sourcePort() << 16 | key.destinationPort()) & 0xFFFF_FFFFL;
        final long sum = (addresses ^ addressSeed) * TAG_ADDRESSES + (rest ^ portSeed) * TAG_PORTS;
        return (int)(((sum ^ (sum >>> 32)) * TAG_FINAL) >>> 32);
    }

    /**
     * The mean number of index slots a lookup of a tracked key reads (1 when every key sits in its home slot): how
     * well the index's hash spreads the keys it holds. Walks the whole index; for tests and diagnostics, owning thread.
     */
    double meanProbeLength()
    {
        long keys = 0;
        long probes = 0;
        for (long slot = 0; slot <= slotMask; slot++)
        {
            final long entry = index.getAtIndex(ValueLayout.JAVA_LONG, slot);
            if (entry != 0)
            {
                keys++;
                probes += ((slot - ((int)(entry >>> 32) & slotMask)) & slotMask) + 1;
            }
        }
        return keys == 0 ? 0 : (double)probes / keys;
    }

    private void addSlot(final int tag, final int handle)
    {
        long slot = tag & slotMask;
        while (index.getAtIndex(ValueLayout.JAVA_LONG, slot) != 0)
        {
            slot = (slot + 1) & slotMask;
        }
        index.setAtIndex(ValueLayout.JAVA_LONG, slot, ((long)tag << 32) | ((handle + 1) & 0xFFFF_FFFFL));
    }

    /** Removes the slot of {@code handle} and shifts later entries of its cluster back (no tombstones). */
    private void removeSlot(final int tag, final int handle)
    {
        long hole = tag & slotMask;
        while (((int)index.getAtIndex(ValueLayout.JAVA_LONG, hole)) != handle + 1)
        {
            hole = (hole + 1) & slotMask;
        }
        long next = hole;
        while (true)
        {
            next = (next + 1) & slotMask;
            final long entry = index.getAtIndex(ValueLayout.JAVA_LONG, next);
            if (entry == 0)
            {
                break;
            }
            final long home = (int)(entry >>> 32) & slotMask;
            final boolean staysPut = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
            if (!staysPut)
            {
                index.setAtIndex(ValueLayout.JAVA_LONG, hole, entry);
                hole = next;
            }
        }
        index.setAtIndex(ValueLayout.JAVA_LONG, hole, 0L);
    }
}
