package io.marchproxy.journal;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Reads a flow journal ({@link FlowJournal}'s directory), in the order it was written, while it is being written or
 * long after: it opens the queue read-only, so another process (the node) may go on appending. Records of a format
 * this reader does not know are skipped. Not thread-safe: one reader per thread.
 */
public final class FlowJournalReader implements AutoCloseable
{
    private static final long FOLLOW_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /**
     * What to read: records of one service (by name; null: all), from {@code since} (inclusive; null: the start) to
     * {@code until} (exclusive; null: the end, or for ever when following).
     */
    public record Query(String service, Instant since, Instant until)
    {
        public static final Query ALL = new Query(null, null, null);

        boolean matches(final FlowRecord r)
        {
            return (service == null || service.equals(r.service()))
                && (since == null || !r.time().isBefore(since))
                && (until == null || r.time().isBefore(until));
        }
    }

    private final SingleChronicleQueue queue;

    private FlowJournalReader(final SingleChronicleQueue queue)
    {
        this.queue = queue;
    }

    /** Opens the journal in {@code dir}; fails with a message naming the directory when there is none. */
    public static FlowJournalReader open(final Path dir)
    {
        if (!Files.isDirectory(dir))
        {
            throw new IllegalArgumentException("no flow journal in " + dir.toAbsolutePath()
                + " (the node writes it to marchproxy.journal.dir, by default <store dir>/flows)");
        }
        return new FlowJournalReader(SingleChronicleQueueBuilder.binary(dir).rollCycle(RollCycles.FAST_DAILY)
            .readOnly(true).build());
    }

    /** Gives {@code out} every record of {@code query} there is now; returns how many. */
    public long read(final Query query, final Consumer<FlowRecord> out)
    {
        try (ExcerptTailer tailer = tailer(query))
        {
            return drain(tailer, query, out, null);
        }
    }

    /**
     * Gives {@code out} every record of {@code query} there is now, then the new ones as they are appended, until
     * {@code stop} says so or a record at or past {@code query.until()} arrives. Returns how many it gave.
     */
    public long follow(final Query query, final Consumer<FlowRecord> out, final BooleanSupplier stop)
    {
        long n = 0;
        final boolean[] past = new boolean[1];
        try (ExcerptTailer tailer = tailer(query))
        {
            while (!stop.getAsBoolean() && !past[0])
            {
                final long got = drain(tailer, query, out, past);
                n += got;
                if (got == 0 && !past[0])
                {
                    LockSupport.parkNanos(FOLLOW_PAUSE_NANOS);
                }
            }
        }
        return n;
    }

    private ExcerptTailer tailer(final Query query)
    {
        final ExcerptTailer tailer = queue.createTailer();
        if (query.since() != null)
        {
            // Start at the day of 'since' when its file is there; earlier records are filtered out anyway.
            final int cycle = (int)(query.since().toEpochMilli() / RollCycles.FAST_DAILY.lengthInMillis());
            if (!tailer.moveToIndex(RollCycles.FAST_DAILY.toIndex(cycle, 0)))
            {
                tailer.toStart();
            }
        }
        return tailer;
    }

    /** Reads to the current end; sets {@code past[0]} when a record at or after {@code until} was seen. */
    private static long drain(final ExcerptTailer tailer, final Query query, final Consumer<FlowRecord> out,
        final boolean[] past)
    {
        long n = 0;
        while (true)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    return n;
                }
                final FlowRecord r = JournalCodec.decode(dc.wire().bytes());
                if (r == null)
                {
                    continue;
                }
                if (past != null && query.until() != null && !r.time().isBefore(query.until()))
                {
                    past[0] = true;
                    return n;
                }
                if (query.matches(r))
                {
                    out.accept(r);
                    n++;
                }
            }
        }
    }

    @Override
    public void close()
    {
        queue.close();
    }
}
