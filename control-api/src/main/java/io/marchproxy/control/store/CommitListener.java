package io.marchproxy.control.store;

/**
 * Told of each committed event, in commit order, on the store's dispatcher thread (never the writer thread).
 * Must not block for long: it delays later notifications, not writes.
 */
@FunctionalInterface
public interface CommitListener {
    void committed(ChangeEvent event, StoreState stateBefore, StoreState stateAfter);
}
