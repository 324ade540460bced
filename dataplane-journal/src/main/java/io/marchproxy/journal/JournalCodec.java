package io.marchproxy.journal;

import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.IpFamily;
import io.marchproxy.dataplane.packet.DropReason;
import net.openhft.chronicle.bytes.Bytes;
import org.agrona.DirectBuffer;

import java.time.Duration;
import java.time.Instant;

import static io.marchproxy.journal.RingRecordLayout.BACKEND_ADDRESS;
import static io.marchproxy.journal.RingRecordLayout.BYTES_TO_BACKEND;
import static io.marchproxy.journal.RingRecordLayout.BYTES_TO_CLIENT;
import static io.marchproxy.journal.RingRecordLayout.CLIENT;
import static io.marchproxy.journal.RingRecordLayout.FLAG_TUPLE;
import static io.marchproxy.journal.RingRecordLayout.LAST_SEEN;
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
 * A journal record on disk (one Chronicle Queue document, format version {@value #VERSION}): version, type, time in
 * epoch nanoseconds, the service's name (UTF-8, may be null), service and backend indexes, family, protocol, drop
 * reason + 1, flags, the four ports, the four addresses (hi, lo), packets and bytes both ways, then the duration in
 * nanoseconds (close) or the drop count (drop). Binary and fixed apart from the name: written by the journal agent,
 * read by {@link FlowJournalReader}.
 */
final class JournalCodec
{
    static final int VERSION = 1;
    private static final DropReason[] REASONS = DropReason.values();
    private static final int[] ADDRESSES = {CLIENT, VIP, BACKEND_ADDRESS, SNAT};

    private JournalCodec()
    {
    }

    /** Writes the ring record at {@code at} of {@code ring}, of {@code type}, as a document into {@code out}. */
    static void encode(final FlowRecordType type, final DirectBuffer ring, final int at, final long epochNanos,
        final String service, final Bytes<?> out)
    {
        final int meta = ring.getInt(at + META);
        final long indexes = ring.getLong(at + SERVICE);
        final long ports = ring.getLong(at + PORTS);
        final boolean ipv4 = RingRecordLayout.family(meta) == IpFamily.IPV4;
        out.writeByte((byte)VERSION);
        out.writeByte((byte)type.id());
        out.writeLong(epochNanos);
        out.writeUtf8(service);
        out.writeInt((int)indexes);
        out.writeInt((int)(indexes >>> 32));
        out.writeByte((byte)RingRecordLayout.family(meta));
        out.writeByte((byte)RingRecordLayout.protocol(meta));
        out.writeByte((byte)RingRecordLayout.reasonPlusOne(meta));
        out.writeByte((byte)RingRecordLayout.flags(meta));
        for (int i = 0; i < 4; i++)
        {
            out.writeShort((short)RingRecordLayout.port(ports, i));
        }
        for (final int address : ADDRESSES)
        {
            out.writeLong(ipv4 ? 0 : ring.getLong(at + address));
            out.writeLong(ring.getLong(at + address + 8));
        }
        out.writeLong(ring.getLong(at + PACKETS_TO_BACKEND));
        out.writeLong(ring.getLong(at + BYTES_TO_BACKEND));
        out.writeLong(ring.getLong(at + PACKETS_TO_CLIENT));
        out.writeLong(ring.getLong(at + BYTES_TO_CLIENT));
        out.writeLong(type == FlowRecordType.CLOSE
            ? ring.getLong(at + LAST_SEEN) - ring.getLong(at + OPENED_OR_COUNT)
            : ring.getLong(at + OPENED_OR_COUNT));
    }

    /** The dataplane time of the ring record at {@code at}. */
    static long time(final DirectBuffer ring, final int at)
    {
        return ring.getLong(at + TIME);
    }

    /** Reads a document; null for one of another format version (skipped by readers). */
    static FlowRecord decode(final Bytes<?> in)
    {
        if (in.readByte() != VERSION)
        {
            return null;
        }
        final FlowRecordType type = FlowRecordType.of(in.readByte());
        final long epochNanos = in.readLong();
        final String service = in.readUtf8();
        final int serviceIndex = in.readInt();
        final int backendIndex = in.readInt();
        final int family = in.readByte();
        final int protocol = in.readByte() & 0xFF;
        final int reason = in.readByte() & 0xFF;
        final boolean tuple = (in.readByte() & FLAG_TUPLE) != 0;
        final int[] ports = new int[4];
        for (int i = 0; i < 4; i++)
        {
            ports[i] = in.readShort() & 0xFFFF;
        }
        final IpAddress[] addresses = new IpAddress[4];
        for (int i = 0; i < 4; i++)
        {
            final long hi = in.readLong();
            final long lo = in.readLong();
            addresses[i] = tuple ? new IpAddress(family, hi, lo) : null;
        }
        final long packetsToBackend = in.readLong();
        final long bytesToBackend = in.readLong();
        final long packetsToClient = in.readLong();
        final long bytesToClient = in.readLong();
        final long last = in.readLong();
        if (type == null)
        {
            return null;
        }
        final boolean flow = type != FlowRecordType.DROP;
        return new FlowRecord(type, Instant.ofEpochSecond(0, epochNanos), service, serviceIndex, backendIndex,
            protocol, endpoint(addresses[0], ports[0]), endpoint(addresses[1], ports[1]),
            flow ? endpoint(addresses[2], ports[2]) : null, flow ? endpoint(addresses[3], ports[3]) : null,
            packetsToBackend, bytesToBackend, packetsToClient, bytesToClient,
            type == FlowRecordType.CLOSE ? Duration.ofNanos(last) : null,
            type == FlowRecordType.DROP && reason > 0 && reason <= REASONS.length ? REASONS[reason - 1] : null,
            type == FlowRecordType.DROP ? last : 0);
    }

    private static FlowRecord.Endpoint endpoint(final IpAddress address, final int port)
    {
        return address == null ? null : new FlowRecord.Endpoint(address, port);
    }
}
