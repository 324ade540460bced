package io.marchproxy.dataplane.qos;

import io.marchproxy.dataplane.counter.SingleWriterCounters;
import io.marchproxy.dataplane.packet.DropReason;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scheduler on simulated time (the caller passes the time, as the worker does): the uncongested path, class
 * shares under a link rate, delay bounds, the shaper's rate and order, and frame conservation (every frame offered
 * is sent, given back by the scheduler, or refused to the caller, exactly once).
 */
class EgressSchedulerTest
{
    private static final long T0 = 3_000_000_000L;
    private static final long MS = 1_000_000L;

    private final SingleWriterCounters drops = SingleWriterCounters.forEnum(DropReason.class);
    private final ArrayPort port = new ArrayPort();
    private long nextAddress;
    private long refused;

    private EgressScheduler scheduler(final QosSettings settings)
    {
        return new EgressScheduler(settings, port, drops);
    }

    private boolean offer(final EgressScheduler s, final int length, final PriorityClass c, final long now,
        final long eligible, final Duration bound)
    {
        final boolean kept = s.offer(nextAddress++, length, c.ordinal(), now, eligible, bound.toNanos());
        if (!kept)
        {
            refused++;
        }
        return kept;
    }

    private void assertConserved(final EgressScheduler s)
    {
        assertEquals(nextAddress, port.sent.size() + port.discarded.size() + refused + s.held(),
            "every frame sent, given back, refused or held, once");
    }

    @Test
    void uncongestedFramesGoStraightOut()
    {
        final EgressScheduler s = scheduler(QosSettings.DEFAULTS);
        for (int i = 0; i < 100; i++)
        {
            assertTrue(offer(s, 1000, PriorityClass.values()[i % 4], T0, T0, Duration.ofMillis(5)));
        }
        assertEquals(100, port.sent.size());
        assertEquals(0, s.held());
        assertEquals(0, s.counter(PriorityClass.P0, QosCounter.QUEUED));
        assertEquals(25, s.counter(PriorityClass.P3, QosCounter.SENT));
    }

    @Test
    void aFullRingQueuesAndTheQueueDrainsInOrder()
    {
        final EgressScheduler s = scheduler(QosSettings.DEFAULTS);
        port.room = 0;
        for (int i = 0; i < 10; i++)
        {
            assertTrue(offer(s, 100, PriorityClass.P2, T0, T0, Duration.ofMillis(50)));
        }
        assertEquals(10, s.held());
        port.room = 4;
        assertEquals(4, s.release(T0 + MS));
        port.room = Integer.MAX_VALUE;
        assertEquals(6, s.release(T0 + 2 * MS));
        for (int i = 0; i < 10; i++)
        {
            assertEquals(i, port.sent.get(i)[0], "FIFO within a class");
        }
        assertEquals(10, s.counter(PriorityClass.P2, QosCounter.QUEUED));
        assertEquals(2 * MS, s.counter(PriorityClass.P2, QosCounter.DELAY_MAX_NANOS));
        assertConserved(s);
    }

    @Test
    void congestedClassesShareTheLinkByWeight()
    {
        final QosSettings settings = QosSettings.DEFAULTS.withLink(80_000_000, 4096).withQueues(256, 16);
        final EgressScheduler s = scheduler(settings);
        final Duration bound = Duration.ofMillis(900);
        for (long now = T0; now < T0 + 1000 * MS; now += 50_000)
        {
            for (final PriorityClass c : PriorityClass.values())
            {
                while (s.counter(c, QosCounter.QUEUED) - s.counter(c, QosCounter.SENT)
                    - s.counter(c, QosCounter.DROPPED_DELAY) < 200)
                {
                    offer(s, 1000, c, now, now, bound);
                }
            }
            s.release(now);
        }
        final double total = port.sentBytes();
        assertEquals(10_000_000, total, 0.01 * 10_000_000, "the link's 80 Mbit/s for a second");
        final double[] expected = {0.4, 0.3, 0.2, 0.1};
        for (final PriorityClass c : PriorityClass.values())
        {
            final double share = s.counter(c, QosCounter.SENT_BYTES) / total;
            assertEquals(expected[c.ordinal()], share, 0.01, c + " share");
        }
        assertConserved(s);
    }

    @Test
    void aLightP0KeepsItsBoundWhileP3FloodsAndDrops()
    {
        final QosSettings settings = QosSettings.DEFAULTS.withLink(40_000_000, 4096).withQueues(128, 16);
        final EgressScheduler s = scheduler(settings);
        for (long now = T0; now < T0 + 500 * MS; now += 100_000)
        {
            // P3: 80 Mbit/s offered (twice the link), P0: a 200-byte packet a millisecond
            for (int i = 0; i < 1; i++)
            {
                offer(s, 1000, PriorityClass.P3, now, now, PriorityClass.P3.defaultMaxDelay());
            }
            if ((now - T0) % MS == 0)
            {
                offer(s, 200, PriorityClass.P0, now, now, PriorityClass.P0.defaultMaxDelay());
            }
            s.release(now);
        }
        assertEquals(500, s.counter(PriorityClass.P0, QosCounter.SENT), "every P0 packet sent");
        assertEquals(0, s.counter(PriorityClass.P0, QosCounter.DROPPED_DELAY)
            + s.counter(PriorityClass.P0, QosCounter.DROPPED_QUEUE_FULL));
        // Deficit round robin: P0 waits at most for P3's quantum plus the deficit P3 carries (under a frame), at the
        // link's 5 bytes a microsecond, and one release interval.
        final long bound = (PriorityClass.P3.defaultWeight() * EgressScheduler.QUANTUM_PER_WEIGHT + 1000) * 1000L / 5
            + 100_000;
        assertTrue(s.counter(PriorityClass.P0, QosCounter.DELAY_MAX_NANOS) <= bound,
            "P0 waits at most " + bound + " ns: " + s.counter(PriorityClass.P0, QosCounter.DELAY_MAX_NANOS));
        assertTrue(s.counter(PriorityClass.P3, QosCounter.DROPPED_QUEUE_FULL) > 1000, "P3 overflows");
        assertTrue(s.counter(PriorityClass.P3, QosCounter.DELAY_MAX_NANOS) > 20 * MS, "and waits long");
        assertEquals(drops.get(DropReason.QOS_QUEUE_FULL), s.counter(PriorityClass.P3, QosCounter.DROPPED_QUEUE_FULL));
        assertConserved(s);
    }

    @Test
    void framesPastTheirDeadlineAreDroppedNotSent()
    {
        final QosSettings settings = QosSettings.DEFAULTS.withLink(8_000_000, 2048); // 1 ms per 1000 bytes
        final EgressScheduler s = scheduler(settings);
        for (int i = 0; i < 20; i++)
        {
            offer(s, 1000, PriorityClass.P1, T0, T0, Duration.ofMillis(5));
        }
        for (long now = T0; now <= T0 + 30 * MS; now += 100_000)
        {
            s.release(now);
        }
        final long sent = s.counter(PriorityClass.P1, QosCounter.SENT);
        assertTrue(sent >= 5 && sent <= 8, "what fits in 5 ms of the link (and its burst): " + sent);
        assertEquals(20 - sent, s.counter(PriorityClass.P1, QosCounter.DROPPED_DELAY));
        assertTrue(s.counter(PriorityClass.P1, QosCounter.DELAY_MAX_NANOS) <= 5 * MS);
        assertEquals(20 - sent, port.discarded.size());
        assertConserved(s);
    }

    @Test
    void theShaperHoldsAServiceToItsRateInOrder()
    {
        final EgressScheduler s = scheduler(QosSettings.DEFAULTS);
        final TokenBucket bucket = new TokenBucket(16_000_000, 8_000); // 2 MB/s
        final Duration bound = Duration.ofMillis(50);
        // offered at 4 MB/s: a 1000-byte packet every 250 us, for 2 s
        for (long now = T0; now < T0 + 2000 * MS; now += 250_000)
        {
            s.release(now);
            final long eligible = bucket.conformsAt(now);
            if (offer(s, 1000, PriorityClass.P2, now, eligible, bound))
            {
                bucket.consume(eligible, 1000);
            }
        }
        for (long now = T0 + 2000 * MS; now < T0 + 2100 * MS; now += 250_000)
        {
            s.release(now);
        }
        // The rate for the 2 s of offers and the 50 ms the last held frames may still wait, and the burst.
        final double expected = 2_000_000 * 2.05 + 8_000;
        assertEquals(expected, port.sentBytes(), 0.002 * expected, "the rate, not what was offered");
        assertTrue(s.counter(PriorityClass.P2, QosCounter.SHAPED) > 3000);
        assertTrue(s.counter(PriorityClass.P2, QosCounter.DROPPED_DELAY) > 3000, "the rest would wait past 50 ms");
        long last = -1;
        for (final long[] frame : port.sent)
        {
            assertTrue(frame[0] > last, "one service's frames leave in order");
            last = frame[0];
        }
        assertEquals(0, s.held());
        assertConserved(s);
    }

    @Test
    void aWorkerThatComesLateDoesNotCostAShapedServiceItsRate()
    {
        final EgressScheduler s = scheduler(QosSettings.DEFAULTS);
        final TokenBucket bucket = new TokenBucket(16_000_000, 8_000); // 2 MB/s
        final Duration bound = Duration.ofMillis(50);
        // offered at 4 MB/s, but the worker turns only every 4 ms (1 ms polls, a busy machine): 16 frames a turn
        for (long now = T0; now < T0 + 2000 * MS; now += 4 * MS)
        {
            s.release(now);
            for (int i = 0; i < 16; i++)
            {
                final long eligible = bucket.conformsAt(now);
                if (offer(s, 1000, PriorityClass.P2, now, eligible, bound))
                {
                    bucket.consume(eligible, 1000);
                }
            }
        }
        for (long now = T0 + 2000 * MS; now < T0 + 2100 * MS; now += 4 * MS)
        {
            s.release(now);
        }
        final double expected = 2_000_000 * 2.05 + 8_000;
        assertEquals(expected, port.sentBytes(), 0.005 * expected, "frames that came due between turns still leave");
        assertTrue(s.counter(PriorityClass.P2, QosCounter.DELAY_MAX_NANOS) <= 54 * MS);
        assertConserved(s);
    }

    @Test
    void aFullShaperRefusesAndDiscardAllGivesEverythingBack()
    {
        final EgressScheduler s = scheduler(QosSettings.DEFAULTS.withQueues(2, 3));
        for (int i = 0; i < 5; i++)
        {
            final boolean kept = offer(s, 500, PriorityClass.P1, T0, T0 + 10 * MS, Duration.ofMillis(20));
            assertEquals(i < 3, kept);
        }
        assertEquals(2, drops.get(DropReason.QOS_QUEUE_FULL));
        port.room = 0;
        offer(s, 500, PriorityClass.P1, T0, T0, Duration.ofMillis(20));
        offer(s, 500, PriorityClass.P1, T0, T0, Duration.ofMillis(20));
        assertFalse(offer(s, 500, PriorityClass.P1, T0, T0, Duration.ofMillis(20)), "the class queue holds 2");
        assertEquals(5, s.held());
        s.discardAll();
        assertEquals(0, s.held());
        assertEquals(5, port.discarded.size());
        assertConserved(s);
    }
}
