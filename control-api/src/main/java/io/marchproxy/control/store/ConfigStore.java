package io.marchproxy.control.store;

import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The control plane's durable state: every entity, the journal of changes that produced it and the global config
 * version. Reads are lock-free on an immutable {@link StoreState}; updates are serialised, atomic, and durable once
 * {@link #update} returns. Implementations: {@link ChronicleConfigStore}.
 */
public interface ConfigStore extends AutoCloseable {

    /** The latest committed state. Any thread. */
    StoreState state();

    /**
     * Runs {@code body} against the latest state and commits its writes as one journaled event. If the body writes
     * nothing, nothing is journaled. Exceptions thrown by the body propagate and nothing is written.
     *
     * @return the body's result
     * @throws StoreUnavailableException if the event could not be journaled
     */
    <R> R update(String actor, String action, TransactionBody<R> body);

    /** The state as it was when the global config version became {@code configVersion} (config kinds only). */
    StoreState stateAtConfigVersion(long configVersion);

    /**
     * The state at {@code configVersion} if the store still holds it from an earlier
     * {@link #stateAtConfigVersion} (no replay needed), otherwise empty. Any thread; never waits for a replay.
     */
    Optional<StoreState> keptStateAtConfigVersion(long configVersion);

    /** Committed events, newest first, with {@code seq < beforeSeq}, at most {@code limit}. */
    default List<ChangeEvent> history(long beforeSeq, int limit, boolean configChangesOnly) {
        return history(e -> e.seq() < beforeSeq && (!configChangesOnly || e.changedConfig()), limit);
    }

    /**
     * Committed events accepted by {@code include}, newest first, at most {@code limit}; reads back from the newest
     * event only as far as it must to find them.
     */
    List<ChangeEvent> history(Predicate<ChangeEvent> include, int limit);

    /** Adds a listener told of every later commit; returns a handle that removes it. */
    AutoCloseable subscribe(CommitListener listener);

    StoreHealth health();

    @Override
    void close();
}
