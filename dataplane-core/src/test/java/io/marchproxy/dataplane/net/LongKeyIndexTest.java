package io.marchproxy.dataplane.net;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LongKeyIndexTest
{
    @Test
    void agreesWithAMapAndRefusesDuplicatesAndOverflow()
    {
        final SplittableRandom random = new SplittableRandom(64);
        final int capacity = 5_000;
        final LongKeyIndex index = new LongKeyIndex(capacity);
        final Map<Long, Integer> model = new HashMap<>();
        // Key 0 and keys that differ in one bit, plus random ones, some repeated.
        final long[] keys = new long[capacity];
        keys[0] = 0;
        for (int i = 1; i < capacity; i++)
        {
            keys[i] = i < 64 ? 1L << i : random.nextLong(1_000);
        }
        for (int i = 0; i < capacity; i++)
        {
            final boolean fresh = !model.containsKey(keys[i]);
            assertEquals(fresh, index.put(keys[i], i), "key " + keys[i]);
            model.putIfAbsent(keys[i], i);
        }
        assertEquals(model.size(), index.size());
        for (final Map.Entry<Long, Integer> entry : model.entrySet())
        {
            assertEquals(entry.getValue(), index.get(entry.getKey()));
        }
        for (int i = 0; i < 10_000; i++)
        {
            final long absent = random.nextLong(2_000, Long.MAX_VALUE);
            assertEquals(LongKeyIndex.ABSENT, index.get(absent));
        }

        final LongKeyIndex small = new LongKeyIndex(2);
        assertTrue(small.put(-1L, 0));
        assertTrue(small.put(Long.MIN_VALUE, 1));
        assertFalse(small.put(7, 2), "full at its capacity");
        assertEquals(1, small.get(Long.MIN_VALUE));
        assertEquals(LongKeyIndex.ABSENT, small.get(7));
        assertThrows(IllegalArgumentException.class, () -> small.put(8, -1));
        assertThrows(IllegalArgumentException.class, () -> new LongKeyIndex(-1));
    }
}
