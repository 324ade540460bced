package io.marchproxy.dataplane.counter;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SingleWriterCountersTest
{
    private enum Event
    {
        IN,
        OUT
    }

    @Test
    void countsByEnumAndIndex()
    {
        final SingleWriterCounters counters = SingleWriterCounters.forEnum(Event.class);
        counters.increment(Event.IN);
        counters.increment(Event.IN);
        counters.add(Event.OUT.ordinal(), 5);
        assertEquals(2, counters.get(Event.IN));
        assertEquals(5, counters.get(1));
        assertEquals(7, counters.sum());
        assertArrayEquals(new long[] {2, 5}, counters.snapshot());
        assertArrayEquals(new String[] {"IN", "OUT"}, counters.labels());
        assertEquals("{IN=2, OUT=5}", counters.toString());
        counters.reset();
        assertEquals(0, counters.sum());
    }

    @Test
    void aReaderSeesMonotonicCountsWhileTheWriterCounts() throws InterruptedException
    {
        final SingleWriterCounters counters = new SingleWriterCounters("a");
        final AtomicBoolean monotonic = new AtomicBoolean(true);
        final Thread reader = new Thread(() ->
        {
            long last = 0;
            while (last < 1_000_000)
            {
                final long now = counters.get(0);
                if (now < last)
                {
                    monotonic.set(false);
                }
                last = now;
            }
        });
        reader.start();
        for (int i = 0; i < 1_000_000; i++)
        {
            counters.increment(0);
        }
        reader.join(10_000);
        assertTrue(monotonic.get());
        assertEquals(1_000_000, counters.get(0));
    }
}
