package io.marchproxy.journal;

import io.marchproxy.dataplane.conntrack.FlowTable;
import io.marchproxy.dataplane.counter.SingleWriterCounters;
import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.packet.DropReason;
import io.marchproxy.dataplane.proxy.FlowEvents;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import static io.marchproxy.journal.RingRecordLayout.BACKEND;
import static io.marchproxy.journal.RingRecordLayout.BACKEND_ADDRESS;
import static io.marchproxy.journal.RingRecordLayout.BACKEND_PORT;
import static io.marchproxy.journal.RingRecordLayout.BYTES_TO_BACKEND;
import static io.marchproxy.journal.RingRecordLayout.BYTES_TO_CLIENT;
import static io.marchproxy.journal.RingRecordLayout.CLIENT;
import static io.marchproxy.journal.RingRecordLayout.CLIENT_PORT;
import static io.marchproxy.journal.RingRecordLayout.FAMILY;
import static io.marchproxy.journal.RingRecordLayout.FLAGS;
import static io.marchproxy.journal.RingRecordLayout.FLAG_TUPLE;
import static io.marchproxy.journal.RingRecordLayout.LAST_SEEN;
import static io.marchproxy.journal.RingRecordLayout.LENGTH;
import static io.marchproxy.journal.RingRecordLayout.OPENED_OR_COUNT;
import static io.marchproxy.journal.RingRecordLayout.PACKETS_TO_BACKEND;
import static io.marchproxy.journal.RingRecordLayout.PACKETS_TO_CLIENT;
import static io.marchproxy.journal.RingRecordLayout.PROTOCOL;
import static io.marchproxy.journal.RingRecordLayout.REASON;
import static io.marchproxy.journal.RingRecordLayout.SERVICE;
import static io.marchproxy.journal.RingRecordLayout.SNAT;
import static io.marchproxy.journal.RingRecordLayout.SNAT_PORT;
import static io.marchproxy.journal.RingRecordLayout.TIME;
import static io.marchproxy.journal.RingRecordLayout.VIP;
import static io.marchproxy.journal.RingRecordLayout.VIP_PORT;

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
        buffer.putLong(at + TIME, nanoTime);
        buffer.putInt(at + SERVICE, service);
        buffer.putInt(at + BACKEND, -1);
        buffer.putByte(at + REASON, (byte)(reason.ordinal() + 1));
        buffer.putLong(at + OPENED_OR_COUNT, count);
        if (tuple == null)
        {
            buffer.putByte(at + FLAGS, (byte)0);
            buffer.putByte(at + FAMILY, (byte)0);
            buffer.putByte(at + PROTOCOL, (byte)0);
        }
        else
        {
            buffer.putByte(at + FLAGS, (byte)FLAG_TUPLE);
            buffer.putByte(at + FAMILY, (byte)tuple.family());
            buffer.putByte(at + PROTOCOL, (byte)tuple.protocol());
            endpoints(at, tuple, CLIENT, CLIENT_PORT, VIP, VIP_PORT);
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
        table.key(handle, 0, original);
        table.key(handle, 1, reply);
        buffer.putLong(at + TIME, nanoTime);
        buffer.putInt(at + SERVICE, table.serviceIndex(handle));
        buffer.putInt(at + BACKEND, table.backendIndex(handle));
        buffer.putByte(at + FAMILY, (byte)original.family());
        buffer.putByte(at + PROTOCOL, (byte)original.protocol());
        buffer.putByte(at + REASON, (byte)0);
        buffer.putByte(at + FLAGS, (byte)FLAG_TUPLE);
        endpoints(at, original, CLIENT, CLIENT_PORT, VIP, VIP_PORT);
        endpoints(at, reply, BACKEND_ADDRESS, BACKEND_PORT, SNAT, SNAT_PORT);
        buffer.putLong(at + PACKETS_TO_BACKEND, table.packets(handle, 0));
        buffer.putLong(at + BYTES_TO_BACKEND, table.bytes(handle, 0));
        buffer.putLong(at + PACKETS_TO_CLIENT, table.packets(handle, 1));
        buffer.putLong(at + BYTES_TO_CLIENT, table.bytes(handle, 1));
        buffer.putLong(at + OPENED_OR_COUNT, 0);
        buffer.putLong(at + LAST_SEEN, 0);
    }

    /** Writes the tuple's source and destination (address and port) at the given field offsets of a record. */
    private void endpoints(final int at, final FlowTuple tuple, final int source, final int sourcePort,
        final int destination, final int destinationPort)
    {
        buffer.putShort(at + sourcePort, (short)tuple.sourcePort());
        buffer.putShort(at + destinationPort, (short)tuple.destinationPort());
        buffer.putLong(at + source, tuple.sourceHi());
        buffer.putLong(at + source + 8, tuple.sourceLo());
        buffer.putLong(at + destination, tuple.destinationHi());
        buffer.putLong(at + destination + 8, tuple.destinationLo());
    }
}
