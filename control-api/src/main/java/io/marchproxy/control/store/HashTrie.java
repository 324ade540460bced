package io.marchproxy.control.store;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * An immutable string-keyed map with cheap derived copies: {@value #FAN} x {@value #FAN} leaves, each a small hash
 * map, reached through two levels of {@value #FAN}-slot arrays. An {@link Editor} copies only the path to each leaf it
 * writes (two small arrays and one leaf of about n/1024 entries), so a version costs little memory and the old one
 * stays valid. Leaves are never mutated once built.
 */
final class HashTrie<V> {
    private static final int FAN = 32;
    private static final int BITS = 5;
    private static final HashTrie<?> EMPTY = new HashTrie<>(emptyTop());

    private final Map<String, V>[][] top;

    private HashTrie(Map<String, V>[][] top) {
        this.top = top;
    }

    @SuppressWarnings("unchecked")
    static <V> HashTrie<V> empty() {
        return (HashTrie<V>) EMPTY;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <V> Map<String, V>[][] emptyTop() {
        Map<String, V>[] mid = new Map[FAN];
        java.util.Arrays.fill(mid, Collections.emptyMap());
        Map<String, V>[][] t = new Map[FAN][];
        java.util.Arrays.fill(t, mid);
        return t;
    }

    private static int hash(String key) {
        int h = key.hashCode() * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    V get(String key) {
        int h = hash(key);
        return top[(h >>> BITS) & (FAN - 1)][h & (FAN - 1)].get(key);
    }

    Editor<V> edit() {
        return new Editor<>(top);
    }

    /** Writes against one base trie; single use, one thread. */
    static final class Editor<V> {
        private final Map<String, V>[][] base;
        private Map<String, V>[][] top;
        private final boolean[] midCopied = new boolean[FAN];
        private final boolean[] leafCopied = new boolean[FAN * FAN];

        private Editor(Map<String, V>[][] base) {
            this.base = base;
            this.top = base;
        }

        V get(String key) {
            int h = hash(key);
            return top[(h >>> BITS) & (FAN - 1)][h & (FAN - 1)].get(key);
        }

        void put(String key, V value) {
            leaf(key).put(key, value);
        }

        void remove(String key) {
            leaf(key).remove(key);
        }

        private Map<String, V> leaf(String key) {
            int h = hash(key);
            int m = (h >>> BITS) & (FAN - 1);
            int l = h & (FAN - 1);
            if (top == base) {
                top = base.clone();
            }
            if (!midCopied[m]) {
                top[m] = top[m].clone();
                midCopied[m] = true;
            }
            if (!leafCopied[m * FAN + l]) {
                top[m][l] = new HashMap<>(top[m][l]);
                leafCopied[m * FAN + l] = true;
            }
            return top[m][l];
        }

        HashTrie<V> build() {
            return new HashTrie<>(top);
        }
    }
}
