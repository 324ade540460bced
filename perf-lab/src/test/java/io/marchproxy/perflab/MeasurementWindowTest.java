package io.marchproxy.perflab;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MeasurementWindowTest
{
    @Test
    void aRehearsalInsideTheWarmupThenTheRealWindow()
    {
        final MeasurementWindow w = new MeasurementWindow(2, 3);
        assertFalse(w.add(9.0, 0), "no packet yet");
        assertFalse(w.add(10.0, 5));
        assertEquals(10.0, w.first);
        assertFalse(w.add(10.4, 1));
        assertFalse(w.add(10.5, 1), "the rehearsal opens at warmup/4");
        assertFalse(w.add(10.6, 7));
        assertEquals(7, w.packets);
        assertFalse(w.add(11.0, 1), "the rehearsal closes at warmup/2, without ending the run");
        assertEquals(0, w.close(11.1), "a run stopped before the real window has no window");
        assertEquals(0, w.packets, "and no packets of the rehearsal");
        assertFalse(w.add(11.5, 4));
        assertEquals(0, w.packets);
        assertFalse(w.add(12.0, 9), "the real window opens at warmup; this turn's packets are not counted");
        assertEquals(0, w.packets, "nothing of the rehearsal is kept");
        assertFalse(w.add(13.0, 10));
        assertFalse(w.add(14.9, 20));
        assertTrue(w.add(15.0, 1), "the real window closes after seconds");
        assertEquals(30, w.packets);
        assertEquals(3.0, w.close(16.0), 1e-9);
    }

    @Test
    void stoppedEarlyInsideTheRealWindow()
    {
        final MeasurementWindow w = new MeasurementWindow(0, 5);
        assertFalse(w.add(1.0, 1));
        assertFalse(w.add(1.0, 1), "a zero warm-up rehearses in the same instant");
        assertFalse(w.add(1.5, 1));
        assertFalse(w.add(2.0, 3));
        assertEquals(3, w.packets);
        assertEquals(1.5, w.close(3.0), 1e-9);
    }
}
