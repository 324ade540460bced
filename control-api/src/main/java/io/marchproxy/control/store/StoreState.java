package io.marchproxy.control.store;

import io.marchproxy.control.model.Entity;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * An immutable view of every entity at one journal sequence number. Applying an event derives new tables only for the
 * kinds it touches, sharing the rest (see {@link EntityTable}), so readers keep a consistent view while the writer
 * builds the next one. Entities of a kind are listed in creation order.
 */
public final class StoreState {
    private final long seq;
    private final long configVersion;
    private final Map<EntityKind<?>, EntityTable> byKind;

    private StoreState(long seq, long configVersion, Map<EntityKind<?>, EntityTable> byKind) {
        this.seq = seq;
        this.configVersion = configVersion;
        this.byKind = byKind;
    }

    public static StoreState empty() {
        Map<EntityKind<?>, EntityTable> maps = new HashMap<>();
        for (EntityKind<?> kind : EntityKind.all()) {
            maps.put(kind, EntityTable.empty(kind));
        }
        return new StoreState(0, 0, maps);
    }

    /** Builds a state from entities restored from a snapshot, in the order given. */
    static StoreState of(long seq, long configVersion, Map<EntityKind<?>, List<Entity>> entities) {
        Map<EntityKind<?>, EntityTable> maps = new HashMap<>();
        for (EntityKind<?> kind : EntityKind.all()) {
            List<Change> puts = new ArrayList<>();
            for (Entity e : entities.getOrDefault(kind, List.of())) {
                puts.add(new Change(kind, e.id(), kind.cast(e)));
            }
            maps.put(kind, EntityTable.empty(kind).with(puts));
        }
        return new StoreState(seq, configVersion, maps);
    }

    /** Journal sequence number of the last event applied. */
    public long seq() {
        return seq;
    }

    /** Global configuration version. */
    public long configVersion() {
        return configVersion;
    }

    public <T extends Entity> Optional<T> get(EntityKind<T> kind, String id) {
        Entity e = byKind.get(kind).get(id);
        return e == null ? Optional.empty() : Optional.of(kind.cast(e));
    }

    /** Entities of {@code kind} in creation order; an immutable view. */
    @SuppressWarnings("unchecked")
    public <T extends Entity> Collection<T> list(EntityKind<T> kind) {
        return (Collection<T>) byKind.get(kind).values();
    }

    /** The entity of {@code kind} whose {@link EntityKind#uniqueKey} is {@code key}. */
    public <T extends Entity> Optional<T> findByKey(EntityKind<T> kind, String key) {
        Entity e = byKind.get(kind).byKey(key);
        return e == null ? Optional.empty() : Optional.of(kind.cast(e));
    }

    /**
     * An entity of {@code kind} indexed under {@code key} (see {@link EntityKind#indexKeys}) that {@code match}
     * accepts; which one, if several do, is unspecified.
     */
    public <T extends Entity> Optional<T> findIndexed(EntityKind<T> kind, String key, Predicate<? super T> match) {
        Entity e = byKind.get(kind).findIndexed(key, x -> match.test(kind.cast(x)));
        return e == null ? Optional.empty() : Optional.of(kind.cast(e));
    }

    public int count(EntityKind<?> kind) {
        return byKind.get(kind).size();
    }

    public int totalEntities() {
        int total = 0;
        for (EntityTable t : byKind.values()) {
            total += t.size();
        }
        return total;
    }

    /** Returns the state after {@code event}; this state is unchanged and shares all untouched data. */
    public StoreState apply(ChangeEvent event) {
        Map<EntityKind<?>, List<Change>> byKindChanges = new HashMap<>();
        for (Change change : event.changes()) {
            byKindChanges.computeIfAbsent(change.kind(), k -> new ArrayList<>()).add(change);
        }
        Map<EntityKind<?>, EntityTable> next = new HashMap<>(byKind);
        byKindChanges.forEach((k, changes) -> next.put(k, byKind.get(k).with(changes)));
        return new StoreState(event.seq(), event.versionAfter(), next);
    }

    /** The configuration kinds' entities by id, for comparing configuration across versions. O(n): not hot. */
    public Map<EntityKind<?>, Map<String, Entity>> configEntities() {
        Map<EntityKind<?>, Map<String, Entity>> result = new LinkedHashMap<>();
        for (EntityKind<?> kind : EntityKind.all()) {
            if (kind.isConfig()) {
                Map<String, Entity> m = new LinkedHashMap<>();
                for (Entity e : byKind.get(kind).values()) {
                    m.put(e.id(), e);
                }
                result.put(kind, Collections.unmodifiableMap(m));
            }
        }
        return result;
    }
}
