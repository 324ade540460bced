package io.marchproxy.control.store;

import io.marchproxy.control.model.Entity;

import java.util.AbstractCollection;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Predicate;

/**
 * The entities of one kind in one {@link StoreState}: immutable, and cheap to derive a changed copy from. Entities
 * live in a {@link HashTrie} and creation order is an append-only list of ids in chunks of {@value #CHUNK}; a change
 * copies only the trie paths and the last order chunk it touches, and versions share everything else. A deleted id
 * leaves a tombstone in the order list, skipped when iterating and compacted away when tombstones outnumber entities.
 * An index from each entity's unique key ({@link EntityKind#uniqueKey}) to its id is kept the same way, and one from
 * each of its non-unique {@link EntityKind#indexKeys} to the set of ids indexed under it (a trie of tries).
 */
final class EntityTable {
    private static final int CHUNK = 256;

    /** An entity and the position of its id in the order list. */
    private record Slot(Entity entity, int order) {
    }

    private final EntityKind<?> kind;
    private final HashTrie<Slot> slots;
    /** Unique key to id. */
    private final HashTrie<String> keys;
    /** Index key to the ids indexed under it, as a trie from id to id. */
    private final HashTrie<HashTrie<String>> index;
    private final String[][] chunks;
    private final int orderLength;
    private final int size;

    private EntityTable(EntityKind<?> kind, HashTrie<Slot> slots, HashTrie<String> keys,
                        HashTrie<HashTrie<String>> index, String[][] chunks, int orderLength, int size) {
        this.kind = kind;
        this.slots = slots;
        this.keys = keys;
        this.index = index;
        this.chunks = chunks;
        this.orderLength = orderLength;
        this.size = size;
    }

    static EntityTable empty(EntityKind<?> kind) {
        return new EntityTable(kind, HashTrie.empty(), HashTrie.empty(), HashTrie.empty(), new String[0][], 0, 0);
    }

    /** An entity indexed under {@code key} that {@code match} accepts, or null; which one of several is unspecified. */
    Entity findIndexed(String key, Predicate<? super Entity> match) {
        HashTrie<String> ids = index.get(key);
        String id = ids == null ? null : ids.find(i -> match.test(get(i)));
        return id == null ? null : get(id);
    }

    /** The entity whose unique key is {@code key}, or null. */
    Entity byKey(String key) {
        String id = keys.get(key);
        return id == null ? null : get(id);
    }

    Entity get(String id) {
        Slot s = slots.get(id);
        return s == null ? null : s.entity();
    }

    int size() {
        return size;
    }

    /** This table with {@code changes} (all of this kind) applied in order. */
    EntityTable with(List<Change> changes) {
        HashTrie.Editor<Slot> ns = slots.edit();
        HashTrie.Editor<String> nk = keys.edit();
        HashTrie.Editor<HashTrie<String>> ni = index.edit();
        String[][] nc = chunks;
        boolean lastChunkCopied = false;
        int length = orderLength;
        int count = size;
        for (Change c : changes) {
            Slot old = ns.get(c.id());
            List<String> oldIndexKeys = old == null ? List.of() : kind.indexKeys(old.entity());
            List<String> newIndexKeys = c.isDelete() ? List.of() : kind.indexKeys(c.after());
            if (!oldIndexKeys.equals(newIndexKeys)) {
                oldIndexKeys.forEach(k -> unindex(ni, k, c.id()));
                newIndexKeys.forEach(k -> index(ni, k, c.id()));
            }
            if (old != null) {
                String oldKey = kind.uniqueKey(old.entity());
                if (c.id().equals(nk.get(oldKey))) {
                    nk.remove(oldKey);
                }
            }
            if (c.isDelete()) {
                if (old != null) {
                    ns.remove(c.id());
                    count--;
                }
                continue;
            }
            nk.put(kind.uniqueKey(c.after()), c.id());
            if (old != null) {
                ns.put(c.id(), new Slot(c.after(), old.order()));
                continue;
            }
            int chunk = length / CHUNK;
            if (nc == chunks) {
                nc = Arrays.copyOf(chunks, Math.max(chunks.length, chunk + 1));
            } else if (chunk >= nc.length) {
                nc = Arrays.copyOf(nc, chunk + 1);
            }
            if (nc[chunk] == null) {
                nc[chunk] = new String[CHUNK];
                lastChunkCopied = true;
            } else if (!lastChunkCopied || chunk != (length - 1) / CHUNK) {
                nc[chunk] = nc[chunk].clone();
                lastChunkCopied = true;
            }
            nc[chunk][length % CHUNK] = c.id();
            ns.put(c.id(), new Slot(c.after(), length));
            length++;
            count++;
        }
        EntityTable next = new EntityTable(kind, ns.build(), nk.build(), ni.build(), nc, length, count);
        return length > 2 * count + 1024 ? next.compacted() : next;
    }

    private static void index(HashTrie.Editor<HashTrie<String>> index, String key, String id) {
        HashTrie<String> ids = index.get(key);
        HashTrie.Editor<String> e = (ids == null ? HashTrie.<String>empty() : ids).edit();
        e.put(id, id);
        index.put(key, e.build());
    }

    private static void unindex(HashTrie.Editor<HashTrie<String>> index, String key, String id) {
        HashTrie<String> ids = index.get(key);
        if (ids == null) {
            return;
        }
        HashTrie.Editor<String> e = ids.edit();
        e.remove(id);
        HashTrie<String> left = e.build();
        if (left.isEmpty()) {
            index.remove(key);
        } else {
            index.put(key, left);
        }
    }

    /** The same entities with tombstones removed from the order list. */
    private EntityTable compacted() {
        List<Change> all = new java.util.ArrayList<>(size);
        for (Entity e : values()) {
            all.add(new Change(kind, e.id(), e));
        }
        return empty(kind).with(all);
    }

    /** Entities in creation order; a view, valid forever since the table is immutable. */
    Collection<Entity> values() {
        return new AbstractCollection<>() {
            @Override
            public Iterator<Entity> iterator() {
                return new Iterator<>() {
                    private int next = advance(0);

                    private int advance(int from) {
                        int i = from;
                        while (i < orderLength && live(i) == null) {
                            i++;
                        }
                        return i;
                    }

                    @Override
                    public boolean hasNext() {
                        return next < orderLength;
                    }

                    @Override
                    public Entity next() {
                        if (next >= orderLength) {
                            throw new NoSuchElementException();
                        }
                        Entity e = live(next);
                        next = advance(next + 1);
                        return e;
                    }
                };
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    /** The entity whose id is at order position {@code i}, unless that position is a tombstone. */
    private Entity live(int i) {
        String id = chunks[i / CHUNK][i % CHUNK];
        Slot s = slots.get(id);
        return s != null && s.order() == i ? s.entity() : null;
    }
}
