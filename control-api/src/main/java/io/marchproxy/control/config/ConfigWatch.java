package io.marchproxy.control.config;

import io.marchproxy.control.store.ConfigStore;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Which config version last changed each cluster, and waiting for the next change: what a proxy's long poll
 * ({@code GET /api/v1/config/{cluster}?after=N&wait=S}) and its heartbeat ask. Subscribed to the
 * {@link ConfigPublisher}; changes of the cluster wake its waiters, changes of other clusters do not.
 *
 * <p>Kept in memory: after a restart every cluster counts as changed at the version the store opened with (a proxy
 * that fetched an older version is answered at once and gets the same content under the current version). A change
 * committed but not yet dispatched to this watch counts as a change of every cluster, so nothing is missed in
 * between. At most {@code maxWaiters} requests wait at once; {@link #await} answers {@link Outcome#BUSY} beyond.
 * Any thread.
 */
public final class ConfigWatch implements ConfigChangeListener, AutoCloseable {
    /** How a wait ended. */
    public enum Outcome {
        /** The cluster's config changed after the version asked about (possibly before the wait began). */
        CHANGED,
        /** Nothing changed within the time given. */
        TIMED_OUT,
        /** Too many requests wait already. */
        BUSY,
        /** The control plane is stopping. */
        CLOSED
    }

    private final ConfigStore store;
    private final long openedAt;
    private final int maxWaiters;
    private final Semaphore slots;
    private final Map<String, Long> changedAt = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> nextChange = new ConcurrentHashMap<>();
    private volatile long dispatched;
    private volatile boolean closed;

    public ConfigWatch(ConfigStore store, int maxWaiters) {
        if (maxWaiters < 1) {
            throw new IllegalArgumentException("maxWaiters must be at least 1, not " + maxWaiters);
        }
        this.store = store;
        this.openedAt = store.state().configVersion();
        this.dispatched = openedAt;
        this.maxWaiters = maxWaiters;
        this.slots = new Semaphore(maxWaiters);
    }

    /**
     * The last config version that may have changed the cluster's resolved config: its last change seen since start,
     * at least the version the store opened with, and the current version while a change is still being dispatched.
     */
    public long lastChange(String clusterId) {
        long current = store.state().configVersion();
        if (dispatched < current) {
            return current;
        }
        return Math.max(openedAt, changedAt.getOrDefault(clusterId, openedAt));
    }

    @Override
    public void onConfigChange(ConfigChange change) {
        for (String id : change.clusterIds()) {
            changedAt.merge(id, change.version(), Math::max);
        }
        dispatched = change.version();
        // Published before the waiters wake: one that took its future earlier is completed, one that takes the next
        // future sees the new version when it checks again.
        for (String id : change.clusterIds()) {
            CompletableFuture<Void> f = nextChange.remove(id);
            if (f != null) {
                f.complete(null);
            }
        }
    }

    /**
     * Returns once the cluster's config changed after version {@code after} ({@link Outcome#CHANGED}, at once if it
     * already has), or when {@code timeout} has passed, the watch closed, or too many requests wait already.
     */
    public Outcome await(String clusterId, long after, Duration timeout) throws InterruptedException {
        if (lastChange(clusterId) > after) {
            return Outcome.CHANGED;
        }
        if (closed) {
            return Outcome.CLOSED;
        }
        if (timeout.isZero() || timeout.isNegative()) {
            return Outcome.TIMED_OUT;
        }
        if (!slots.tryAcquire()) {
            return Outcome.BUSY;
        }
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                CompletableFuture<Void> next = nextChange.computeIfAbsent(clusterId, id -> new CompletableFuture<>());
                if (lastChange(clusterId) > after) {
                    return Outcome.CHANGED;
                }
                if (closed) {
                    return Outcome.CLOSED;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Outcome.TIMED_OUT;
                }
                try {
                    next.get(left, TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    return lastChange(clusterId) > after ? Outcome.CHANGED : Outcome.TIMED_OUT;
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a change signal never fails", e);
                }
            }
        } finally {
            slots.release();
        }
    }

    /** The last version this watch was told of: changes up to it are counted per cluster. */
    public long dispatchedVersion() {
        return dispatched;
    }

    /** Requests waiting now. */
    public int waiting() {
        return maxWaiters - slots.availablePermits();
    }

    /** Wakes every waiter with {@link Outcome#CLOSED}; later waits end at once. */
    @Override
    public void close() {
        closed = true;
        nextChange.values().forEach(f -> f.complete(null));
        nextChange.clear();
    }
}
