package io.marchproxy.control.store;

import java.util.function.Predicate;

/**
 * An immutable string-keyed map with cheap derived copies: a hash array mapped trie (32-way, bitmap-compressed
 * nodes, as in Bagwell's HAMT). An {@link Editor} copies only the nodes on the path to each key it writes, about
 * log32(n) small arrays, so a new version costs the same whatever the map's size and the old one stays valid. Nodes
 * an editor created are updated in place by that editor until {@link Editor#build}; after that nothing mutates them.
 */
final class HashTrie<V> {
    private static final int BITS = 5;
    private static final int MASK = (1 << BITS) - 1;
    /** Below this shift the hash still has bits to branch on; deeper nodes hold full-hash collisions. */
    private static final int HASH_BITS = 32;
    private static final HashTrie<?> EMPTY = new HashTrie<>(new Node(null, 0, new Object[0]));

    /**
     * One trie node. {@code array} holds two slots per set bit of {@code bitmap}, in bit order: a key and its value,
     * or null and a child node. A node at or below {@link #HASH_BITS} ignores the bitmap and holds key/value pairs
     * whose hashes are all equal. Mutable only by the editor that {@code owner} names, before it builds.
     */
    private static final class Node {
        final Object owner;
        int bitmap;
        Object[] array;

        Node(Object owner, int bitmap, Object[] array) {
            this.owner = owner;
            this.bitmap = bitmap;
            this.array = array;
        }

        boolean isEmpty() {
            return array.length == 0;
        }
    }

    private final Node root;

    private HashTrie(Node root) {
        this.root = root;
    }

    @SuppressWarnings("unchecked")
    static <V> HashTrie<V> empty() {
        return (HashTrie<V>) EMPTY;
    }

    private static int hash(String key) {
        int h = key.hashCode() * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    /** The bitmap bit of the branch {@code h} takes at {@code shift}. */
    private static int bit(int h, int shift) {
        return 1 << ((h >>> shift) & MASK);
    }

    /** Index in a node's array of the key slot for {@code bit}, which must be set in {@code bitmap}. */
    private static int slot(int bitmap, int bit) {
        return 2 * Integer.bitCount(bitmap & (bit - 1));
    }

    /** Index of {@code key} in a collision node's key/value pairs, or -1. */
    private static int collisionSlot(Object[] a, String key) {
        for (int i = 0; i < a.length; i += 2) {
            if (key.equals(a[i])) {
                return i;
            }
        }
        return -1;
    }

    V get(String key) {
        return get(root, key);
    }

    @SuppressWarnings("unchecked")
    private static <V> V get(Node root, String key) {
        int h = hash(key);
        Node n = root;
        for (int shift = 0; ; shift += BITS) {
            Object[] a = n.array;
            if (shift >= HASH_BITS) {
                int i = collisionSlot(a, key);
                return i < 0 ? null : (V) a[i + 1];
            }
            int bit = bit(h, shift);
            if ((n.bitmap & bit) == 0) {
                return null;
            }
            int i = slot(n.bitmap, bit);
            Object k = a[i];
            if (k != null) {
                return key.equals(k) ? (V) a[i + 1] : null;
            }
            n = (Node) a[i + 1];
        }
    }

    boolean isEmpty() {
        return root.isEmpty();
    }

    /** The first value, in no particular order, that {@code match} accepts; null if none does. */
    V find(Predicate<? super V> match) {
        return find(root, match);
    }

    @SuppressWarnings("unchecked")
    private static <V> V find(Node n, Predicate<? super V> match) {
        Object[] a = n.array;
        for (int i = 0; i < a.length; i += 2) {
            V found = a[i] != null ? (match.test((V) a[i + 1]) ? (V) a[i + 1] : null)
                    : find((Node) a[i + 1], match);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    Editor<V> edit() {
        return new Editor<>(root);
    }

    /** Writes against one base trie; single use, one thread. */
    static final class Editor<V> {
        private Object token = new Object();
        private Node root;

        private Editor(Node root) {
            this.root = root;
        }

        V get(String key) {
            return HashTrie.get(root, key);
        }

        void put(String key, V value) {
            root = put(root, key, hash(key), value, 0);
        }

        void remove(String key) {
            root = remove(root, key, hash(key), 0);
        }

        /** The trie as edited; nodes this editor made are frozen from here on. */
        HashTrie<V> build() {
            token = new Object();
            return new HashTrie<>(root);
        }

        /** {@code n} if this editor made it, else a copy this editor may change. */
        private Node editable(Node n) {
            return n.owner == token ? n : new Node(token, n.bitmap, n.array.clone());
        }

        private Node put(Node n, String key, int h, Object value, int shift) {
            Object[] a = n.array;
            if (shift >= HASH_BITS) {
                int i = collisionSlot(a, key);
                Node e = editable(n);
                if (i < 0) {
                    e.array = insert(a, a.length, key, value);
                } else {
                    e.array[i + 1] = value;
                }
                return e;
            }
            int bit = bit(h, shift);
            int i = slot(n.bitmap, bit);
            if ((n.bitmap & bit) == 0) {
                Node e = editable(n);
                e.array = insert(a, i, key, value);
                e.bitmap |= bit;
                return e;
            }
            Object k = a[i];
            Object slot;
            if (k == null) {
                Node child = (Node) a[i + 1];
                Node changed = put(child, key, h, value, shift + BITS);
                if (changed == child) {
                    return n;
                }
                slot = changed;
            } else if (key.equals(k)) {
                slot = value;
            } else {
                slot = pair((String) k, hash((String) k), a[i + 1], key, h, value, shift + BITS);
            }
            Node e = editable(n);
            e.array[i] = k == null || key.equals(k) ? k : null;
            e.array[i + 1] = slot;
            return e;
        }

        /** A node holding two keys whose hashes agree below {@code shift}. */
        private Node pair(String k1, int h1, Object v1, String k2, int h2, Object v2, int shift) {
            if (shift >= HASH_BITS) {
                return new Node(token, 0, new Object[] {k1, v1, k2, v2});
            }
            int b1 = bit(h1, shift);
            int b2 = bit(h2, shift);
            if (b1 == b2) {
                return new Node(token, b1, new Object[] {null, pair(k1, h1, v1, k2, h2, v2, shift + BITS)});
            }
            Object[] a = Integer.compareUnsigned(b1, b2) < 0 ? new Object[] {k1, v1, k2, v2}
                    : new Object[] {k2, v2, k1, v1};
            return new Node(token, b1 | b2, a);
        }

        private Node remove(Node n, String key, int h, int shift) {
            Object[] a = n.array;
            if (shift >= HASH_BITS) {
                int i = collisionSlot(a, key);
                if (i < 0) {
                    return n;
                }
                Node e = editable(n);
                e.array = cut(a, i);
                return e;
            }
            int bit = bit(h, shift);
            if ((n.bitmap & bit) == 0) {
                return n;
            }
            int i = slot(n.bitmap, bit);
            Object k = a[i];
            if (k == null) {
                Node child = (Node) a[i + 1];
                Node changed = remove(child, key, h, shift + BITS);
                if (changed == child) {
                    return n;
                }
                Node e = editable(n);
                if (changed.isEmpty()) {
                    e.array = cut(a, i);
                    e.bitmap &= ~bit;
                } else {
                    e.array[i + 1] = changed;
                }
                return e;
            }
            if (!key.equals(k)) {
                return n;
            }
            Node e = editable(n);
            e.array = cut(a, i);
            e.bitmap &= ~bit;
            return e;
        }

        private static Object[] insert(Object[] a, int at, Object key, Object value) {
            Object[] b = new Object[a.length + 2];
            System.arraycopy(a, 0, b, 0, at);
            b[at] = key;
            b[at + 1] = value;
            System.arraycopy(a, at, b, at + 2, a.length - at);
            return b;
        }

        private static Object[] cut(Object[] a, int at) {
            Object[] b = new Object[a.length - 2];
            System.arraycopy(a, 0, b, 0, at);
            System.arraycopy(a, at + 2, b, at, a.length - at - 2);
            return b;
        }
    }
}
