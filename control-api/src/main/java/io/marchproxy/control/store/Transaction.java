package io.marchproxy.control.store;

import io.marchproxy.control.model.Entity;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
