package io.marchproxy.control.rest;

import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.StoreState;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Past config versions for {@code ?version=N}, diffs and rollback, without letting journal replays take over the
 * request threads. The store rebuilds a past state by replaying its journal from the start, O(journal), and keeps the
 * few most recently replayed; here a state the store still holds is returned at once, at most one replay runs at a
 * time, and a request that would need another one waits {@code replayWait} for its turn and then gets a 503 with
 * {@code Retry-After}. Holds no states of its own, so past states are kept only once. Any request thread.
 */
public final class PastStates {
    public static final Duration DEFAULT_REPLAY_WAIT = Duration.ofSeconds(2);

    private final ConfigStore store;
    private final Duration replayWait;
    private final Semaphore replay = new Semaphore(1);

    public PastStates(ConfigStore store) {
        this(store, DEFAULT_REPLAY_WAIT);
    }

    public PastStates(ConfigStore store, Duration replayWait) {
        this.store = store;
        this.replayWait = replayWait;
    }

    /**
     * The state at config version {@code version}, which must be between 0 and {@code current}'s version.
     *
     * @throws ProblemException 503 if another replay kept the journal busy for longer than the wait
     */
    public StoreState at(long version, StoreState current) {
        if (version == current.configVersion()) {
            return current;
        }
        Optional<StoreState> kept = store.keptStateAtConfigVersion(version);
        if (kept.isPresent()) {
            return kept.get();
        }
        try {
            if (!replay.tryAcquire(replayWait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw ProblemException.busy("another past version is being rebuilt from the journal; retry shortly");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ProblemException.busy("interrupted while waiting to rebuild a past version");
        }
        try {
            // The replay we waited for may have been this one.
            return store.keptStateAtConfigVersion(version).orElseGet(() -> store.stateAtConfigVersion(version));
        } finally {
            replay.release();
        }
    }
}
