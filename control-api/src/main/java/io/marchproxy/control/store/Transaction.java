package io.marchproxy.control.store;

import io.marchproxy.control.model.Entity;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The working set of one {@link ConfigStore#update} call: reads see the committed state plus this transaction's
 * own writes; writes are journaled atomically when the body returns. Used only on the store's writer thread.
 */
public final class Transaction {
    private final StoreState base;
    private final Map<String, Change> pending = new LinkedHashMap<>();

    Transaction(StoreState base) {
        this.base = base;
    }

    public StoreState base() {
        return base;
    }

    public <T extends Entity> Optional<T> get(EntityKind<T> kind, String id) {
        Change c = pending.get(key(kind, id));
        if (c != null) {
            return c.isDelete() ? Optional.empty() : Optional.of(kind.cast(c.after()));
        }
        return base.get(kind, id);
    }

    /**
     * Entities of {@code kind} as this transaction sees them, without copying the committed ones: committed
     * entities not overridden here, then this transaction's new or changed ones.
     */
    public <T extends Entity> Stream<T> stream(EntityKind<T> kind) {
        Map<String, Change> mine = new HashMap<>();
        for (Change c : pending.values()) {
            if (c.kind() == kind) {
                mine.put(c.id(), c);
            }
        }
        if (mine.isEmpty()) {
            return base.list(kind).stream();
        }
        return Stream.concat(base.list(kind).stream().filter(e -> !mine.containsKey(e.id())),
                mine.values().stream().filter(c -> !c.isDelete()).map(c -> kind.cast(c.after())));
    }

    public <T extends Entity> List<T> list(EntityKind<T> kind) {
        Map<String, T> merged = new LinkedHashMap<>();
        Collection<T> committed = base.list(kind);
        for (T e : committed) {
            merged.put(e.id(), e);
        }
        for (Change c : pending.values()) {
            if (c.kind() == kind) {
                if (c.isDelete()) {
                    merged.remove(c.id());
                } else {
                    merged.put(c.id(), kind.cast(c.after()));
                }
            }
        }
        return new ArrayList<>(merged.values());
    }

    /** The entity of {@code kind} with unique key {@code key} as this transaction sees it. */
    public <T extends Entity> Optional<T> findByKey(EntityKind<T> kind, String key) {
        for (Change c : pending.values()) {
            if (c.kind() == kind && !c.isDelete() && kind.uniqueKey(c.after()).equals(key)) {
                return Optional.of(kind.cast(c.after()));
            }
        }
        Optional<T> committed = base.findByKey(kind, key);
        if (committed.isPresent() && pending.containsKey(key(kind, committed.get().id()))) {
            return Optional.empty(); // changed or deleted here: its current key, if still equal, was found above
        }
        return committed;
    }

    /**
     * An entity of {@code kind} indexed under {@code key} that {@code match} accepts, as this transaction sees them:
     * its own writes first, then committed entities it has not changed.
     */
    public <T extends Entity> Optional<T> findIndexed(EntityKind<T> kind, String key, Predicate<? super T> match) {
        for (Change c : pending.values()) {
            if (c.kind() == kind && !c.isDelete() && kind.indexKeys(c.after()).contains(key)
                    && match.test(kind.cast(c.after()))) {
                return Optional.of(kind.cast(c.after()));
            }
        }
        return base.findIndexed(kind, key, e -> !pending.containsKey(key(kind, e.id())) && match.test(e));
    }

    public <T extends Entity> T put(EntityKind<T> kind, T entity) {
        pending.put(key(kind, entity.id()), new Change(kind, entity.id(), entity));
        return entity;
    }

    public void delete(EntityKind<?> kind, String id) {
        pending.put(key(kind, id), new Change(kind, id, null));
    }

    List<Change> changes() {
        return List.copyOf(pending.values());
    }

    private static String key(EntityKind<?> kind, String id) {
        return kind.wireName() + '/' + id;
    }
}
