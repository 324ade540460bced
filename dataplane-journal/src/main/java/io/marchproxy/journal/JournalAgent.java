package io.marchproxy.journal;

import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.MessageHandler;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The journal's one writer: drains every {@link JournalWriter}'s ring and appends each record to the Chronicle Queue
 * (one document each), turning the dataplane's clock into wall-clock time and service indexes into names; deletes
 * days past the retention when it starts, every ten minutes, and when the day changes. Runs on its own thread (an
 * agrona {@link Agent}), never on a dataplane thread; it owns the appender.
 */
final class JournalAgent implements Agent, MessageHandler
{
    private static final System.Logger LOG = System.getLogger(JournalAgent.class.getName());
    private static final int RECORDS_PER_RING_PER_TURN = 1024;
    private static final long RETENTION_EVERY_NANOS = TimeUnit.MINUTES.toNanos(10);

    private final SingleChronicleQueue queue;
    private final Path dir;
    private final int retentionDays;
    private final TimeProvider time;
    private final IntFunction<String> serviceNames;
    private final List<JournalWriter> writers;
    private ExcerptAppender appender;
    private long clockOffset;
    private volatile long appended;
    private long nextRetention;
    private long nextDayMillis;

    JournalAgent(final SingleChronicleQueue queue, final Path dir, final int retentionDays, final TimeProvider time,
        final IntFunction<String> serviceNames, final List<JournalWriter> writers)
    {
        this.queue = queue;
        this.dir = dir;
        this.retentionDays = retentionDays;
        this.time = time;
        this.serviceNames = serviceNames;
        this.writers = writers;
    }

    @Override
    public void onStart()
    {
        appender = queue.createAppender();
        retention();
    }

    @Override
    public int doWork()
    {
        // Wall clock = dataplane clock + offset, measured once per turn (follows clock steps).
        clockOffset = time.currentTimeNanos() - System.nanoTime();
        int work = 0;
        for (final JournalWriter w : writers)
        {
            work += w.ring().read(this, RECORDS_PER_RING_PER_TURN);
        }
        final long now = System.nanoTime();
        if (now - nextRetention >= 0 || time.currentTimeMillis() >= nextDayMillis)
        {
            retention();
        }
        return work;
    }

    @Override
    public void onMessage(final int typeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final FlowRecordType type = FlowRecordType.of(typeId);
        if (type == null)
        {
            return;
        }
        final int service = (int)buffer.getLong(index + RingRecordLayout.SERVICE); // the low word: see the layout
        final String name = service < 0 ? null : serviceNames.apply(service);
        try (DocumentContext dc = appender.writingDocument())
        {
            JournalCodec.encode(type, buffer, index, JournalCodec.time(buffer, index) + clockOffset, name,
                dc.wire().bytes());
        }
        appended = appended + 1; // one writer: this thread
    }

    /** Drains what is left in the rings, then closes the appender; on the agent's thread, once it stopped. */
    @Override
    public void onClose()
    {
        clockOffset = time.currentTimeNanos() - System.nanoTime();
        for (final JournalWriter w : writers)
        {
            while (w.ring().read(this) > 0)
            {
                // drain
            }
        }
        if (appender != null)
        {
            appender.close();
        }
    }

    @Override
    public String roleName()
    {
        return "flow-journal";
    }

    /** Records appended so far; read by other threads (a plain long: a statistic, approximate across threads). */
    long appended()
    {
        return appended;
    }

    private void retention()
    {
        final LocalDate today = Instant.ofEpochMilli(time.currentTimeMillis()).atZone(ZoneOffset.UTC).toLocalDate();
        nextDayMillis = today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        nextRetention = System.nanoTime() + RETENTION_EVERY_NANOS;
        try
        {
            final List<Path> deleted = JournalRetention.sweep(dir, today, retentionDays);
            if (!deleted.isEmpty())
            {
                queue.refreshDirectoryListing();
                LOG.log(System.Logger.Level.INFO, "flow journal: deleted " + deleted.size() + " file(s) older than "
                    + retentionDays + " day(s): " + deleted);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "flow journal: retention sweep of " + dir + " failed: " + ex, ex);
        }
    }
}
