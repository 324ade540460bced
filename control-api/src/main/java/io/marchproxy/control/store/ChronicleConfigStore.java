package io.marchproxy.control.store;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * {@link ConfigStore} on an append-only Chronicle Queue journal of {@link ChangeEvent}s plus periodic snapshots.
 *
 * <p>One writer thread owns the appender and runs every transaction (single-writer principle): it applies the body,
 * appends the event, then publishes the new immutable state. An update returns only after its event is in the
 * journal's memory-mapped file, which the kernel keeps when the process dies (kill -9); with {@link SyncMode#SYNC}
 * the mapped journal is also msync'ed before the update returns, for power loss, once per batch of the updates that
 * queued up meanwhile (group commit). Readers may see a state a moment before its writer is acknowledged. On open, the newest
 * readable snapshot is loaded and the journal replayed from the event after it; a gap in sequence numbers refuses to
 * open rather than serve a wrong state.
 */
public final class ChronicleConfigStore implements ConfigStore {
    private static final Logger LOG = Logger.getLogger(ChronicleConfigStore.class.getName());
    /** Most updates one group commit takes: bounds how long the first of them waits for the msync. */
    private static final int MAX_BATCH = 256;
    /** Past states kept after a replay; each is a whole configuration, so only a few. */
    static final int PAST_STATES_KEPT = 8;

    /**
     * @param snapshotEvery write a snapshot after this many events, or after as many events as there are entities
     *                      if that is more
     * @param syncMode      how appended events are forced to disk
     * @param lockTimeoutMs how long to wait for a journal lock held by a dead process before recovering it
     */
    public record Options(int snapshotEvery, SyncMode syncMode, long lockTimeoutMs) {
        public static Options defaults() {
            return new Options(1000, SyncMode.NONE, 2000);
        }
    }

    private final JournalCodec codec = new JournalCodec();
    private final Path journalDir;
    private final SnapshotFiles snapshots;
    private final Options options;
    private final Clock clock;
    private final SingleChronicleQueue queue;
    private final ExecutorService writer;
    private final ExecutorService dispatcher;
    private final ExecutorService snapshotter;
    private final List<CommitListener> listeners = new CopyOnWriteArrayList<>();
    private final Queue<Pending<?>> pendingUpdates = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean snapshotInFlight = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    /**
     * Past versions are immutable, so the few most recently replayed are kept for repeated diffs and fetches. The
     * control plane's only cache of past states: callers that limit replays ask {@link #keptStateAtConfigVersion}.
     */
    private final Map<Long, StoreState> pastStates = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Long, StoreState> eldest) {
                    return size() > PAST_STATES_KEPT;
                }
            });

    private volatile Thread writerThread;
    private volatile StoreState state;
    private volatile long snapshotSeq;
    private volatile boolean writable = true;
    private volatile String lastError;

    // Writer-thread state.
    private ExcerptAppender appender;
    private long lastIndex;

    private ChronicleConfigStore(Path dir, Options options, Clock clock) throws IOException {
        this.options = options;
        this.clock = clock;
        this.journalDir = Files.createDirectories(dir.resolve("journal"));
        this.snapshots = new SnapshotFiles(dir.resolve("snapshots"), codec);
        this.queue = SingleChronicleQueueBuilder.binary(journalDir)
                .syncMode(options.syncMode())
                .timeoutMS(options.lockTimeoutMs())
                .build();
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "config-store-writer");
            t.setDaemon(true);
            writerThread = t;
            return t;
        });
        this.dispatcher = Executors.newSingleThreadExecutor(daemon("config-store-dispatcher"));
        this.snapshotter = Executors.newSingleThreadExecutor(daemon("config-store-snapshotter"));
    }

    /** Opens (creating if absent) the store in {@code dir}, restoring the state from snapshot and journal. */
    public static ChronicleConfigStore open(Path dir, Options options) throws IOException {
        return open(dir, options, Clock.systemUTC());
    }

    public static ChronicleConfigStore open(Path dir, Options options, Clock clock) throws IOException {
        ChronicleConfigStore store = new ChronicleConfigStore(dir, options, clock);
        try {
            store.recover();
        } catch (RuntimeException | IOException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private void recover() throws IOException {
        Optional<JournalCodec.Snapshot> snapshot = snapshots.loadLatest();
        StoreState s = snapshot.map(JournalCodec.Snapshot::state).orElse(StoreState.empty());
        long index = snapshot.map(JournalCodec.Snapshot::journalIndex).orElse(-1L);
        snapshotSeq = s.seq();
        try (ExcerptTailer tailer = queue.createTailer()) {
            if (snapshot.isPresent() && !tailer.moveToIndex(index)) {
                tailer.toStart();
            }
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    ChangeEvent event = codec.decode(readBytes(dc));
                    if (event.seq() <= s.seq()) {
                        continue;
                    }
                    if (event.seq() != s.seq() + 1) {
                        throw new IllegalStateException("journal gap: expected event " + (s.seq() + 1)
                                + " but found " + event.seq() + " in " + journalDir);
                    }
                    s = s.apply(event);
                    index = dc.index();
                }
            }
        }
        state = s;
        lastIndex = index;
        LOG.info(() -> "config store open: seq " + state.seq() + ", config version " + state.configVersion()
                + ", " + state.totalEntities() + " entities, " + (state.seq() - snapshotSeq) + " events replayed");
    }

    @Override
    public StoreState state() {
        return state;
    }

    @Override
    public <R> R update(String actor, String action, TransactionBody<R> body) {
        if (Thread.currentThread() == writerThread) {
            throw new IllegalStateException("update called from inside a transaction");
        }
        if (closed.get()) {
            throw new StoreUnavailableException("store is closed", null);
        }
        Pending<R> pending = new Pending<>(actor, action, body);
        pendingUpdates.add(pending);
        try {
            writer.execute(this::drain);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new StoreUnavailableException("store is closed", e);
        }
        try {
            return pending.result.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new StoreUnavailableException("update failed", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while waiting for the journal", e);
        }
    }

    /** An update waiting for the writer thread. */
    private static final class Pending<R> {
        final String actor;
        final String action;
        final TransactionBody<R> body;
        final CompletableFuture<R> result = new CompletableFuture<>();
        R value;
        Throwable failure;
        Committed committed;

        Pending(String actor, String action, TransactionBody<R> body) {
            this.actor = actor;
            this.action = action;
            this.body = body;
        }

        void run(ChronicleConfigStore store) {
            try {
                Transaction tx = new Transaction(store.state);
                value = body.run(tx);
                committed = store.append(actor, action, tx);
            } catch (Throwable t) {
                failure = t;
            }
        }

        void complete() {
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                result.complete(value);
            }
        }
    }

    /** A journaled event and the states around it, to be announced once it is durable. */
    private record Committed(ChangeEvent event, StoreState before, StoreState after) {
    }

    /**
     * Writer thread: runs every waiting update in order, appending each event, then (in a sync mode) msyncs once for
     * the whole batch (group commit) before acknowledging any of them and telling listeners.
     */
    private void drain() {
        List<Pending<?>> batch = new ArrayList<>();
        Pending<?> p;
        while (batch.size() < MAX_BATCH && (p = pendingUpdates.poll()) != null) {
            batch.add(p);
        }
        if (batch.isEmpty()) {
            return;
        }
        boolean appended = false;
        for (Pending<?> each : batch) {
            each.run(this);
            appended |= each.committed != null;
        }
        if (appended && options.syncMode() != SyncMode.NONE) {
            try {
                // msync (MS_SYNC or MS_ASYNC per the mode) of the mapped journal up to the last event
                appender.sync();
            } catch (RuntimeException e) {
                writable = false;
                lastError = e.toString();
                for (Pending<?> each : batch) {
                    if (each.committed != null) {
                        each.failure = new StoreUnavailableException("journal sync failed", e);
                    }
                }
            }
        }
        for (Pending<?> each : batch) {
            each.complete();
            Committed c = each.committed;
            if (c != null && each.failure == null && !listeners.isEmpty()) {
                dispatcher.execute(() -> notifyListeners(c.event(), c.before(), c.after()));
            }
        }
    }

    /** Journals the transaction's changes as one event and publishes the new state; null if it changed nothing. */
    private Committed append(String actor, String action, Transaction tx) {
        StoreState base = tx.base();
        List<Change> changes = tx.changes();
        if (changes.isEmpty()) {
            return null;
        }
        boolean config = changes.stream().anyMatch(c -> c.kind().isConfig());
        long version = base.configVersion();
        ChangeEvent event = new ChangeEvent(base.seq() + 1, version, config ? version + 1 : version,
                clock.instant(), actor, action, changes);
        byte[] bytes = codec.encode(event);
        try {
            if (appender == null) {
                appender = queue.createAppender();
            }
            try (DocumentContext dc = appender.writingDocument()) {
                dc.wire().bytes().write(bytes);
            }
            lastIndex = appender.lastIndexAppended();
            writable = true;
        } catch (RuntimeException e) {
            writable = false;
            lastError = e.toString();
            throw new StoreUnavailableException("journal append failed", e);
        }
        StoreState next = base.apply(event);
        state = next;
        // A snapshot costs O(entities); taking one every max(snapshotEvery, entities) events keeps its amortised
        // cost per write constant while bounding restart replay to about one state's worth of events.
        if (next.seq() - snapshotSeq >= Math.max(options.snapshotEvery(), next.totalEntities())) {
            scheduleSnapshot(next, lastIndex);
        }
        return new Committed(event, base, next);
    }

    private void notifyListeners(ChangeEvent event, StoreState before, StoreState next) {
        for (CommitListener l : listeners) {
            try {
                l.committed(event, before, next);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "commit listener failed on event " + event.seq(), e);
            }
        }
    }

    private void scheduleSnapshot(StoreState s, long index) {
        if (!snapshotInFlight.compareAndSet(false, true)) {
            return;
        }
        snapshotter.execute(() -> {
            try {
                writeSnapshot(s, index);
            } finally {
                snapshotInFlight.set(false);
            }
        });
    }

    private void writeSnapshot(StoreState s, long index) {
        try {
            snapshots.write(s, index);
            snapshotSeq = s.seq();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "snapshot at seq " + s.seq() + " failed; the journal still has every event", e);
        }
    }

    @Override
    public StoreState stateAtConfigVersion(long configVersion) {
        StoreState current = state;
        if (configVersion < 0 || configVersion > current.configVersion()) {
            throw new IllegalArgumentException("no config version " + configVersion);
        }
        StoreState cached = pastStates.get(configVersion);
        if (cached != null) {
            return cached;
        }
        StoreState s = StoreState.empty();
        try (ExcerptTailer tailer = queue.createTailer()) {
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    ChangeEvent event = codec.decode(readBytes(dc));
                    if (event.versionAfter() > configVersion || event.seq() > current.seq()) {
                        break;
                    }
                    s = s.apply(event);
                }
            }
        }
        pastStates.put(configVersion, s);
        return s;
    }

    @Override
    public Optional<StoreState> keptStateAtConfigVersion(long configVersion) {
        return Optional.ofNullable(pastStates.get(configVersion));
    }

    @Override
    public List<ChangeEvent> history(Predicate<ChangeEvent> include, int limit) {
        List<ChangeEvent> result = new ArrayList<>(Math.min(limit, 1000));
        try (ExcerptTailer tailer = queue.createTailer()) {
            tailer.direction(TailerDirection.BACKWARD).toEnd();
            while (result.size() < limit) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    ChangeEvent event = codec.decode(readBytes(dc));
                    if (include.test(event)) {
                        result.add(event);
                    }
                }
            }
        }
        return result;
    }

    @Override
    public AutoCloseable subscribe(CommitListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public StoreHealth health() {
        long bytes;
        try (Stream<Path> files = Files.list(journalDir)) {
            bytes = files.mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            bytes = -1;
        }
        boolean ok = writable && !closed.get() && Files.isWritable(journalDir);
        return new StoreHealth(ok, state.seq() - snapshotSeq, bytes, lastError);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            writer.submit(() -> {
                if (appender != null) {
                    appender.close();
                }
                StoreState s = state;
                if (s != null && s.seq() > snapshotSeq) {
                    writeSnapshot(s, lastIndex);
                }
            }).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "final snapshot failed", e);
        }
        shutdown(writer);
        shutdown(snapshotter);
        shutdown(dispatcher);
        queue.close();
    }

    private static void shutdown(ExecutorService executor) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] readBytes(DocumentContext dc) {
        Bytes<?> bytes = dc.wire().bytes();
        byte[] out = new byte[(int) bytes.readRemaining()];
        bytes.read(out);
        return out;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
