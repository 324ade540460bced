package io.marchproxy.journal;

import io.marchproxy.dataplane.conntrack.FlowTable;
import io.marchproxy.dataplane.counter.SingleWriterCounters;
import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.net.IpFamily;
import io.marchproxy.dataplane.packet.DropReason;
import io.marchproxy.dataplane.proxy.FlowEvents;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import static io.marchproxy.journal.RingRecordLayout.BACKEND_ADDRESS;
import static io.marchproxy.journal.RingRecordLayout.BYTES_TO_BACKEND;
import static io.marchproxy.journal.RingRecordLayout.BYTES_TO_CLIENT;
import static io.marchproxy.journal.RingRecordLayout.CLIENT;
import static io.marchproxy.journal.RingRecordLayout.FLAG_TUPLE;
import static io.marchproxy.journal.RingRecordLayout.LAST_SEEN;
import static io.marchproxy.journal.RingRecordLayout.LENGTH;
import static io.marchproxy.journal.RingRecordLayout.META;
import static io.marchproxy.journal.RingRecordLayout.OPENED_OR_COUNT;
import static io.marchproxy.journal.RingRecordLayout.PACKETS_TO_BACKEND;
import static io.marchproxy.journal.RingRecordLayout.PACKETS_TO_CLIENT;
import static io.marchproxy.journal.RingRecordLayout.PORTS;
import static io.marchproxy.journal.RingRecordLayout.SERVICE;
import static io.marchproxy.journal.RingRecordLayout.SNAT;
import static io.marchproxy.journal.RingRecordLayout.TIME;
import static io.marchproxy.journal.RingRecordLayout.VIP;

/**
 * The dataplane thread's side of the flow journal: a {@link FlowEvents} that writes each event as one fixed-size
 * record ({@link RingRecordLayout}) into a ring of its own (agrona {@link OneToOneRingBuffer}: this thread is its one
 * producer, the journal agent its one consumer). It never waits: when the ring is full the record is dropped and
 * counted ({@link Counter#RING_FULL}). No allocation, no exception.
 *
 * <p>Threads: the {@link FlowEvents} methods belong to the one dataplane thread it was made for; the counters may be
 * read from any thread.
 */
public final class JournalWriter implements FlowEvents
{
    /** What the writer counts. */
    public enum Counter
    {
        /** Records handed to the ring. */
        WRITTEN,
        /** Records dropped because the ring was full (the journal agent fell behind). */
        RING_FULL
    }

    private final RingBuffer ring;
    private final AtomicBuffer buffer;
    private final long dropSampleIntervalNanos;
    private final SingleWriterCounters counters = SingleWriterCounters.forEnum(Counter.class);
    private final FlowTuple original = new FlowTuple();
    private final FlowTuple reply = new FlowTuple();

    /**
     * A writer into {@code ring} for a consumer other than {@link FlowJournal}'s agent (a benchmark, another sink):
     * records are laid out as {@code RingRecordLayout} says, with the {@link FlowRecordType} ids as message types.
     */
    public static JournalWriter onRing(final RingBuffer ring, final long dropSampleIntervalNanos)
    {
        return new JournalWriter(ring, dropSampleIntervalNanos);
    }

    JournalWriter(final RingBuffer ring, final long dropSampleIntervalNanos)
    {
        this.ring = ring;
        this.buffer = ring.buffer();
        this.dropSampleIntervalNanos = dropSampleIntervalNanos;
    }

    RingBuffer ring()
    {
        return ring;
    }

    /** Records written and dropped, by {@link Counter}; any thread. */
    public SingleWriterCounters counters()
    {
        return counters;
    }

    @Override
    public void opened(final FlowTable table, final int handle, final long nanoTime)
    {
        final int at = claim(FlowRecordType.OPEN);
        if (at >= 0)
        {
            flow(at, table, handle, nanoTime);
            ring.commit(at);
        }
    }

    @Override
    public void closed(final FlowTable table, final int handle, final long openedNanos, final long nanoTime)
    {
        final int at = claim(FlowRecordType.CLOSE);
        if (at >= 0)
        {
            flow(at, table, handle, nanoTime);
            buffer.putLong(at + OPENED_OR_COUNT, openedNanos);
            buffer.putLong(at + LAST_SEEN, table.lastSeen(handle));
            ring.commit(at);
        }
    }

    @Override
    public void dropped(
        final DropReason reason, final long count, final FlowTuple tuple, final int service, final long nanoTime)
    {
        final int at = claim(FlowRecordType.DROP);
        if (at < 0)
        {
            return;
        }
        final AtomicBuffer b = buffer;
        b.putLong(at + TIME, nanoTime);
        b.putLong(at + SERVICE, (service & 0xFFFF_FFFFL) | (-1L << 32)); // service, then backend -1
        b.putLong(at + OPENED_OR_COUNT, count);
        if (tuple == null)
        {
            b.putInt(at + META, RingRecordLayout.meta(0, 0, reason.ordinal() + 1, 0));
        }
        else
        {
            b.putInt(at + META, RingRecordLayout.meta(tuple.family(), tuple.protocol(), reason.ordinal() + 1,
                FLAG_TUPLE));
            b.putLong(at + PORTS, (long)tuple.sourcePort() << 48 | (long)tuple.destinationPort() << 32);
            addresses(at, tuple, CLIENT, VIP);
        }
        ring.commit(at);
    }

    @Override
    public long dropSampleIntervalNanos()
    {
        return dropSampleIntervalNanos;
    }

    /** The offset of a claimed record, or -1 after counting the record as dropped. */
    private int claim(final FlowRecordType type)
    {
        final int at = ring.tryClaim(type.id(), LENGTH);
        if (at < 0)
        {
            counters.increment(Counter.RING_FULL);
            return -1;
        }
        counters.increment(Counter.WRITTEN);
        return at;
    }

    private void flow(final int at, final FlowTable table, final int handle, final long nanoTime)
    {
        final FlowTuple o = table.key(handle, 0, original);
        final FlowTuple r = table.key(handle, 1, reply);
        final AtomicBuffer b = buffer;
        b.putLong(at + TIME, nanoTime);
        b.putLong(at + SERVICE, (table.serviceIndex(handle) & 0xFFFF_FFFFL) | (long)table.backendIndex(handle) << 32);
        b.putInt(at + META, RingRecordLayout.meta(o.family(), o.protocol(), 0, FLAG_TUPLE));
        b.putLong(at + PORTS, (long)o.sourcePort() << 48 | (long)o.destinationPort() << 32
            | (long)r.sourcePort() << 16 | r.destinationPort());
        addresses(at, o, CLIENT, VIP);
        addresses(at, r, BACKEND_ADDRESS, SNAT);
        b.putLong(at + PACKETS_TO_BACKEND, table.packets(handle, 0));
        b.putLong(at + BYTES_TO_BACKEND, table.bytes(handle, 0));
        b.putLong(at + PACKETS_TO_CLIENT, table.packets(handle, 1));
        b.putLong(at + BYTES_TO_CLIENT, table.bytes(handle, 1));
    }

    /** Writes the tuple's source and destination addresses at the given field offsets (an IPv4 one: lo only). */
    private void addresses(final int at, final FlowTuple tuple, final int source, final int destination)
    {
        final AtomicBuffer b = buffer;
        b.putLong(at + source + 8, tuple.sourceLo());
        b.putLong(at + destination + 8, tuple.destinationLo());
        if (tuple.family() != IpFamily.IPV4)
        {
            b.putLong(at + source, tuple.sourceHi());
            b.putLong(at + destination, tuple.destinationHi());
        }
    }
}
