package io.marchproxy.control.store;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Random puts and removes against a HashMap model, with colliding keys; every older version must stay as it was. */
class HashTrieTest {
    /** "Aa" and "BB" have the same String hash, so any concatenation of them collides with all others of its length. */
    private static String colliding(int bits) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            b.append((bits >>> i & 1) == 0 ? "Aa" : "BB");
        }
        return b.toString();
    }

    @Test
    void behavesLikeAMapAndVersionsStayIndependent() {
        Random r = new Random(7);
        HashTrie<Integer> trie = HashTrie.empty();
        Map<String, Integer> model = new HashMap<>();
        List<HashTrie<Integer>> versions = new ArrayList<>();
        List<Map<String, Integer>> expected = new ArrayList<>();
        for (int step = 0; step < 3000; step++) {
            HashTrie.Editor<Integer> editor = trie.edit();
            int n = 1 + r.nextInt(r.nextInt(20) == 0 ? 500 : 5);
            for (int i = 0; i < n; i++) {
                String key = r.nextInt(4) == 0 ? colliding(r.nextInt(16)) : "k" + r.nextInt(20_000);
                if (r.nextInt(3) == 0) {
                    editor.remove(key);
                    model.remove(key);
                } else {
                    editor.put(key, step);
                    model.put(key, step);
                }
                assertEquals(model.get(key), editor.get(key));
            }
            trie = editor.build();
            if (step % 150 == 0) {
                versions.add(trie);
                expected.add(new HashMap<>(model));
            }
        }
        check(trie, model);
        for (int i = 0; i < versions.size(); i++) {
            check(versions.get(i), expected.get(i));
        }
    }

    @Test
    void anEditorLeavesItsBaseAndItsBuiltTrieAlone() {
        HashTrie.Editor<String> first = HashTrie.<String>empty().edit();
        for (int i = 0; i < 5000; i++) {
            first.put("k" + i, "a");
        }
        HashTrie<String> a = first.build();
        first.put("k1", "changed after build");
        first.remove("k2");
        assertEquals("a", a.get("k1"));
        assertEquals("a", a.get("k2"));
        HashTrie.Editor<String> second = a.edit();
        second.remove("k3");
        second.put("k4", "b");
        HashTrie<String> b = second.build();
        assertEquals("a", a.get("k3"));
        assertEquals("a", a.get("k4"));
        assertNull(b.get("k3"));
        assertEquals("b", b.get("k4"));
    }

    private static void check(HashTrie<Integer> trie, Map<String, Integer> model) {
        for (int k = 0; k < 20_000; k++) {
            assertEquals(model.get("k" + k), trie.get("k" + k), "k" + k);
        }
        for (int bits = 0; bits < 16; bits++) {
            assertEquals(model.get(colliding(bits)), trie.get(colliding(bits)), colliding(bits));
        }
    }
}
