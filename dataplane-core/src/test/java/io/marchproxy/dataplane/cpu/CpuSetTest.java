package io.marchproxy.dataplane.cpu;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import io.marchproxy.ffm.libc.Sched;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuSetTest
{
    @Test
    void readsAndWritesTheKernelsListFormat()
    {
        final CpuSet set = CpuSet.parse(" 0-3,8,10-11\n");
        assertArrayEquals(new int[]{0, 1, 2, 3, 8, 10, 11}, set.toArray());
        assertEquals("0-3,8,10-11", set.toString());
        assertEquals(set, CpuSet.parse(set.toString()));
        assertEquals("5", CpuSet.of(5).toString());
        assertEquals("", CpuSet.parse("").toString());
        assertTrue(CpuSet.of(1, 2).isSubsetOf(set));
        assertFalse(CpuSet.of(4).isSubsetOf(set));
        assertEquals(CpuSet.of(2, 3), set.intersect(CpuSet.parse("2-7")));
        assertEquals(CpuSet.of(1023), CpuSet.parse("1023"));
    }

    @Test
    void refusesWhatIsNotACpuList()
    {
        for (final String bad : new String[]{"a", "3-1", "-1", "1024", "0-1024", "1,,2", "1-"})
        {
            assertThrows(IllegalArgumentException.class, () -> CpuSet.parse(bad), bad);
        }
    }

    @Test
    void roundTripsThroughACpuSetT()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment mask = arena.allocate(Sched.cpu_set_t);
            final CpuSet set = CpuSet.parse("0,63-64,1023");
            set.write(mask);
            assertEquals(1L | (1L << 63), mask.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0));
            assertEquals(set, CpuSet.read(mask));
        }
    }
}
