package io.marchproxy.journal;

import io.marchproxy.dataplane.conntrack.FlowTable;
import io.marchproxy.dataplane.conntrack.FlowTimeouts;
import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.IpFamily;
import io.marchproxy.dataplane.packet.DropReason;
import io.marchproxy.dataplane.packet.TcpHeader;
import net.openhft.chronicle.core.time.TimeProvider;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The flow journal on a real Chronicle Queue in a temporary directory, fed by {@link JournalWriter}s the way the
 * proxy feeds them (flows in a real {@link FlowTable}): what is written comes back, also after the journal is closed
 * and opened again; days roll into files of their own and days past the retention are deleted; a full ring drops
 * records (counted) and never blocks.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlowJournalTest
{
    private static final long MS = 1_000_000L;
    private static final IpAddress VIP = IpAddress.parse("10.215.0.1");
    private static final IpAddress SNAT = IpAddress.parse("10.214.0.1");

    private Path dir;
    private FlowTable table;

    @BeforeEach
    void setUp() throws IOException
    {
        dir = Files.createTempDirectory("marchproxy-journal");
        table = new FlowTable(IpFamily.IPV4, 1024, FlowTimeouts.DEFAULTS);
    }

    @AfterEach
    void tearDown() throws IOException
    {
        table.close();
        try (Stream<Path> files = Files.walk(dir))
        {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A TCP flow from 10.213.0.{client}:{port} to the VIP, to backend 10.214.0.{10 + backend}:8080. */
    private int flow(final int client, final int port, final int service, final int backend, final long now)
    {
        final FlowTuple original = new FlowTuple().set(6, IpAddress.parse("10.213.0." + client), port, VIP, 80);
        final FlowTuple reply = new FlowTuple().set(6, IpAddress.parse("10.214.0." + (10 + backend)), 8080, SNAT,
            20000 + port % 1000);
        return table.insert(original, reply, service, backend, now, TcpHeader.SYN, 74);
    }

    private static void await(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    private List<FlowRecord> readAll(final FlowJournalReader.Query query)
    {
        final List<FlowRecord> out = new ArrayList<>();
        try (FlowJournalReader reader = FlowJournalReader.open(dir))
        {
            reader.read(query, out::add);
        }
        return out;
    }

    @Test
    void recordsComeBackAfterTheJournalIsClosedAndOpenedAgain() throws Exception
    {
        final String[] names = {"web", "dns"};
        final Instant before = Instant.now();
        try (FlowJournal journal = FlowJournal.open(FlowJournal.Settings.in(dir),
            i -> i < names.length ? names[i] : null))
        {
            final JournalWriter w = journal.newWriter();
            final long t0 = System.nanoTime();
            final int h = flow(7, 40001, 0, 2, t0);
            w.opened(table, h, t0);
            table.touch(h | 1, t0 + 3 * MS, 60, TcpHeader.SYN | TcpHeader.ACK);
            table.touch(h, t0 + 5 * MS, 1500, TcpHeader.ACK);
            w.closed(table, h, t0, t0 + 9 * MS);
            final FlowTuple denied = new FlowTuple().set(17, IpAddress.parse("10.213.0.9"), 5000, VIP, 53);
            w.dropped(DropReason.ACCESS_DENIED, 3, denied, 1, t0 + 10 * MS);
            w.dropped(DropReason.IPV4_BAD_IHL, 1, null, -1, t0 + 11 * MS);
            await("4 records appended", () -> journal.appended() == 4);
        }
        final List<FlowRecord> first = readAll(FlowJournalReader.Query.ALL);
        assertEquals(4, first.size(), first.toString());
        final FlowRecord open = first.get(0);
        assertEquals(FlowRecordType.OPEN, open.type());
        assertEquals("web", open.service());
        assertEquals("10.213.0.7:40001", open.client().toString());
        assertEquals("10.215.0.1:80", open.vip().toString());
        assertEquals("10.214.0.12:8080", open.backend().toString());
        assertEquals("10.214.0.1:20001", open.snat().toString());
        assertEquals(2, open.backendIndex());
        assertEquals("tcp", open.protocolName());
        assertTrue(!open.time().isBefore(before.minusSeconds(1)) && open.time().isBefore(Instant.now()), open.time()
            + " is not about now");
        final FlowRecord close = first.get(1);
        assertEquals(FlowRecordType.CLOSE, close.type());
        assertEquals(2, close.packetsToBackend());
        assertEquals(74 + 1500, close.bytesToBackend());
        assertEquals(1, close.packetsToClient());
        assertEquals(60, close.bytesToClient());
        assertEquals(Duration.ofMillis(5), close.duration(), "first to last packet");
        assertTrue(close.toLine().contains("close tcp web 10.213.0.7:40001 -> 10.215.0.1:80 via 10.214.0.12:8080"),
            close.toLine());
        final FlowRecord denied = first.get(2);
        assertEquals(DropReason.ACCESS_DENIED, denied.dropReason());
        assertEquals(3, denied.dropCount());
        assertEquals("dns", denied.service());
        assertEquals("udp", denied.protocolName());
        assertEquals("10.213.0.9:5000", denied.client().toString());
        assertNull(denied.backend());
        final FlowRecord malformed = first.get(3);
        assertEquals(DropReason.IPV4_BAD_IHL, malformed.dropReason());
        assertNull(malformed.client());
        assertNull(malformed.service());

        // Opened again: the old records are there, new ones follow them.
        try (FlowJournal journal = FlowJournal.open(FlowJournal.Settings.in(dir), i -> names[i]))
        {
            final JournalWriter w = journal.newWriter();
            final long t = System.nanoTime();
            w.opened(table, flow(8, 40002, 1, 0, t), t);
            await("1 record appended", () -> journal.appended() == 1);
        }
        final List<FlowRecord> all = readAll(FlowJournalReader.Query.ALL);
        assertEquals(5, all.size());
        assertEquals("10.213.0.8:40002", all.get(4).client().toString());
        assertEquals(List.of(all.get(4)), readAll(new FlowJournalReader.Query("dns", null, null)).stream()
            .filter(r -> r.type() == FlowRecordType.OPEN).toList(), "the service filter");
        assertEquals(1, readAll(new FlowJournalReader.Query(null, all.get(4).time(), null)).size(), "since");
        assertEquals(4, readAll(new FlowJournalReader.Query(null, null, all.get(4).time())).size(), "until");
    }

    @Test
    void everyDayGetsAFileAndDaysPastTheRetentionAreDeleted() throws Exception
    {
        final AtomicLong millis = new AtomicLong(LocalDate.of(2026, 3, 1).atStartOfDay(ZoneOffset.UTC).toInstant()
            .toEpochMilli() + TimeUnit.HOURS.toMillis(12));
        final TimeProvider clock = new TimeProvider()
        {
            @Override
            public long currentTimeMillis()
            {
                return millis.get();
            }

            @Override
            public long currentTimeMicros()
            {
                return millis.get() * 1000;
            }

            @Override
            public long currentTimeNanos()
            {
                return millis.get() * 1_000_000;
            }
        };
        final FlowJournal.Settings settings = new FlowJournal.Settings(dir, 2, 1 << 16, Duration.ofSeconds(1));
        try (FlowJournal journal = FlowJournal.open(settings, i -> "web", clock))
        {
            final JournalWriter w = journal.newWriter();
            for (int day = 0; day < 4; day++)
            {
                final long t = System.nanoTime();
                final int h = flow(10 + day, 41000 + day, 0, 0, t);
                w.opened(table, h, t);
                final long expected = day + 1;
                await("day " + day + " appended", () -> journal.appended() == expected);
                millis.addAndGet(TimeUnit.DAYS.toMillis(1));
                table.remove(h);
            }
            // The agent sweeps when the day changes: after day 3's record (written on 3/4) it is 3/5.
            await("only the last 2 days kept", () -> dailyFiles().equals(List.of("20260304F.cq4")));
        }
        final List<FlowRecord> left = readAll(FlowJournalReader.Query.ALL);
        assertEquals(1, left.size(), left.toString());
        assertEquals(LocalDate.of(2026, 3, 4), left.get(0).time().atZone(ZoneOffset.UTC).toLocalDate());
    }

    private List<String> dailyFiles()
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cq4")).sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    @Test
    void aFullRingDropsTheRecordAndCountsItWithoutWaiting()
    {
        // A ring nobody drains: records past its capacity are dropped at once, each counted.
        final JournalWriter w = new JournalWriter(new OneToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(
            4096 + RingBufferDescriptor.TRAILER_LENGTH))), 0);
        final long t = System.nanoTime();
        final int h = flow(3, 40003, 0, 1, t);
        for (int i = 0; i < 1000; i++)
        {
            w.opened(table, h, t);
        }
        final long written = w.counters().get(JournalWriter.Counter.WRITTEN);
        assertEquals(4096 / 152, written, "a 4 KiB ring holds 26 records of 144 bytes and their 8-byte headers");
        assertEquals(1000 - written, w.counters().get(JournalWriter.Counter.RING_FULL));
    }
}
