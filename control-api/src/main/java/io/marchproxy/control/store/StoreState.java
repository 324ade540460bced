package io.marchproxy.control.store;

import io.marchproxy.control.model.Entity;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable view of every entity at one journal sequence number. Applying an event copies only the kinds it
 * touches, so readers keep a consistent view while the writer builds the next one. Entities of a kind are kept in
 * creation order.
 */
public final class StoreState {
    private final long seq;
    private final long configVersion;
    private final Map<EntityKind<?>, Map<String, Entity>> byKind;

    private StoreState(long seq, long configVersion, Map<EntityKind<?>, Map<String, Entity>> byKind) {
        this.seq = seq;
        this.configVersion = configVersion;
        this.byKind = byKind;
    }

    public static StoreState empty() {
        Map<EntityKind<?>, Map<String, Entity>> maps = new HashMap<>();
        for (EntityKind<?> kind : EntityKind.all()) {
            maps.put(kind, Collections.emptyMap());
        }
        return new StoreState(0, 0, maps);
    }

    /** Builds a state from entities restored from a snapshot. */
    static StoreState of(long seq, long configVersion, Map<EntityKind<?>, List<Entity>> entities) {
        Map<EntityKind<?>, Map<String, Entity>> maps = new HashMap<>();
        for (EntityKind<?> kind : EntityKind.all()) {
            Map<String, Entity> m = new LinkedHashMap<>();
            for (Entity e : entities.getOrDefault(kind, List.of())) {
                m.put(e.id(), kind.cast(e));
            }
            maps.put(kind, Collections.unmodifiableMap(m));
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

    @SuppressWarnings("unchecked")
    public <T extends Entity> Collection<T> list(EntityKind<T> kind) {
        return (Collection<T>) byKind.get(kind).values();
    }

    public int count(EntityKind<?> kind) {
        return byKind.get(kind).size();
    }

    public int totalEntities() {
        return byKind.values().stream().mapToInt(Map::size).sum();
    }

    /** Returns the state after {@code event}; this state is unchanged. */
    public StoreState apply(ChangeEvent event) {
        Map<EntityKind<?>, Map<String, Entity>> next = new HashMap<>(byKind);
        Map<EntityKind<?>, Map<String, Entity>> copies = new HashMap<>();
        for (Change change : event.changes()) {
            Map<String, Entity> m = copies.computeIfAbsent(change.kind(), k -> new LinkedHashMap<>(byKind.get(k)));
            if (change.isDelete()) {
                m.remove(change.id());
            } else {
                m.put(change.id(), change.after());
            }
        }
        copies.forEach((k, m) -> next.put(k, Collections.unmodifiableMap(m)));
        return new StoreState(event.seq(), event.versionAfter(), next);
    }

    /** Returns a state holding this state's configuration kinds, for comparing configuration across versions. */
    public Map<EntityKind<?>, Map<String, Entity>> configEntities() {
        Map<EntityKind<?>, Map<String, Entity>> result = new LinkedHashMap<>();
        for (EntityKind<?> kind : EntityKind.all()) {
            if (kind.isConfig()) {
                result.put(kind, byKind.get(kind));
            }
        }
        return result;
    }
}
