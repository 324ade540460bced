package io.marchproxy.journal;

import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;

/**
 * The L4 proxy's flow journal: flow open and close records and drop samples, appended to a Chronicle Queue in
 * {@code dir}, one file per UTC day, days past the retention deleted. Each dataplane thread gets a
 * {@link JournalWriter} ({@link #newWriter()}) to give the proxy as its
 * {@link io.marchproxy.dataplane.proxy.FlowEvents}:
 * the writer hands records through a ring of its own to the journal's agent thread ({@code marchproxy-journal}), which
 * appends them; a full ring drops the record (counted), the dataplane never waits. {@link FlowJournalReader} reads
 * the journal, also while it is written and after a restart.
 *
 * <p>{@link #close()} stops the agent after it appended what the rings still held, then closes the queue: close the
 * proxy (the writers' thread) first.
 */
public final class FlowJournal implements AutoCloseable
{
    /**
     * @param dir                 the queue's directory (created if absent)
     * @param retentionDays       days of files kept, today's included (>= 1)
     * @param ringBytes           each writer's ring, a power of two (records are 152 bytes with their header)
     * @param dropSampleInterval  at most one drop sample per reason per this long
     */
    public record Settings(Path dir, int retentionDays, int ringBytes, Duration dropSampleInterval)
    {
        public static final int DEFAULT_RETENTION_DAYS = 7;
        public static final int DEFAULT_RING_BYTES = 1 << 20;
        public static final Duration DEFAULT_DROP_SAMPLE_INTERVAL = Duration.ofSeconds(1);

        public Settings
        {
            Objects.requireNonNull(dir, "dir");
            if (retentionDays < 1)
            {
                throw new IllegalArgumentException("journal retention must be at least 1 day: " + retentionDays);
            }
            if (ringBytes < 4096 || Integer.bitCount(ringBytes) != 1)
            {
                throw new IllegalArgumentException("journal ring must be a power of two >= 4096 bytes: " + ringBytes);
            }
            if (dropSampleInterval.isNegative())
            {
                throw new IllegalArgumentException("drop sample interval must not be negative");
            }
        }

        /** Defaults in {@code dir}: 7 days, 1 MiB ring per writer (about 6,900 records), a drop sample a second. */
        public static Settings in(final Path dir)
        {
            return new Settings(dir, DEFAULT_RETENTION_DAYS, DEFAULT_RING_BYTES, DEFAULT_DROP_SAMPLE_INTERVAL);
        }
    }

    private final Settings settings;
    private final SingleChronicleQueue queue;
    private final List<JournalWriter> writers = new CopyOnWriteArrayList<>();
    private final JournalAgent agent;
    private final AgentRunner runner;

    private FlowJournal(final Settings settings, final IntFunction<String> serviceNames, final TimeProvider time)
        throws IOException
    {
        this.settings = settings;
        Files.createDirectories(settings.dir());
        this.queue = SingleChronicleQueueBuilder.binary(settings.dir()).rollCycle(RollCycles.FAST_DAILY)
            .timeProvider(time).build();
        this.agent = new JournalAgent(queue, settings.dir(), settings.retentionDays(), time, serviceNames, writers);
        this.runner = new AgentRunner(new BackoffIdleStrategy(10, 20, 1_000, 1_000_000),
            ex -> System.getLogger(FlowJournal.class.getName()).log(System.Logger.Level.ERROR,
                "flow journal: " + ex, ex), null, agent);
    }

    /**
     * Opens (or creates) the journal and starts its agent.
     *
     * @param serviceNames the name of a service index, as the proxy's configuration says now (called on the agent's
     *                     thread; null for an unknown index)
     */
    public static FlowJournal open(final Settings settings, final IntFunction<String> serviceNames) throws IOException
    {
        return open(settings, serviceNames, SystemTimeProvider.INSTANCE);
    }

    /** As {@link #open(Settings, IntFunction)} with the wall clock of {@code time} (tests move it across days). */
    public static FlowJournal open(final Settings settings, final IntFunction<String> serviceNames,
        final TimeProvider time) throws IOException
    {
        final FlowJournal journal = new FlowJournal(settings, serviceNames, time);
        AgentRunner.startOnThread(journal.runner, r ->
        {
            final Thread t = new Thread(r, "marchproxy-journal");
            t.setDaemon(true);
            return t;
        });
        return journal;
    }

    /** A writer for one more dataplane thread, with a ring of its own; any thread, before traffic. */
    public JournalWriter newWriter()
    {
        final int capacity = settings.ringBytes() + RingBufferDescriptor.TRAILER_LENGTH;
        final JournalWriter w = new JournalWriter(new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacity))), settings.dropSampleInterval().toNanos());
        writers.add(w);
        return w;
    }

    /** Records appended to the queue so far; any thread. */
    public long appended()
    {
        return agent.appended();
    }

    /** Records every writer handed to its ring; any thread. */
    public long written()
    {
        return writers.stream().mapToLong(w -> w.counters().get(JournalWriter.Counter.WRITTEN)).sum();
    }

    /** Records dropped because a writer's ring was full; any thread. */
    public long droppedRingFull()
    {
        return writers.stream().mapToLong(w -> w.counters().get(JournalWriter.Counter.RING_FULL)).sum();
    }

    public Settings settings()
    {
        return settings;
    }

    @Override
    public void close()
    {
        runner.close();
        queue.close();
    }
}
