package io.marchproxy.dataplane.nat;

import io.marchproxy.dataplane.net.PortRange;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnatPortAllocatorTest
{
    @Test
    void handsOutEveryPortOnceThenNone()
    {
        final SnatPortAllocator ports = new SnatPortAllocator(new PortRange(20000, 59999));
        assertEquals(40000, ports.capacity());
        final Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 40000; i++)
        {
            final int port = ports.allocate();
            assertTrue(port >= 20000 && port <= 59999);
            assertTrue(seen.add(port), "port handed out twice: " + port);
            assertTrue(ports.isAllocated(port));
        }
        assertEquals(0, ports.available());
        assertEquals(SnatPortAllocator.NO_PORT, ports.allocate());
        assertEquals(1, ports.counters().get(SnatPortCounter.EXHAUSTED));
    }

    @Test
    void freedPortsComeBackLastFirstInFirstOut()
    {
        final SnatPortAllocator ports = new SnatPortAllocator(new PortRange(1000, 1003));
        final int a = ports.allocate();
        final int b = ports.allocate();
        assertTrue(ports.free(b));
        assertTrue(ports.free(a));
        assertEquals(1002, ports.allocate(), "never-used ports first");
        assertEquals(1003, ports.allocate());
        assertEquals(b, ports.allocate(), "then in the order they were freed");
        assertEquals(a, ports.allocate());
    }

    @Test
    void refusesDoubleAndForeignFrees()
    {
        final SnatPortAllocator ports = new SnatPortAllocator(new PortRange(1000, 1099));
        final int port = ports.allocate();
        assertTrue(ports.free(port));
        assertFalse(ports.free(port));
        assertFalse(ports.free(999));
        assertFalse(ports.free(1100));
        assertFalse(ports.free(1050), "never allocated");
        assertEquals(3 + 1, ports.counters().get(SnatPortCounter.BAD_FREE));
        assertEquals(100, ports.available());
        assertThrows(IllegalArgumentException.class, () -> new SnatPortAllocator(new PortRange(0, 10)));
    }
}
