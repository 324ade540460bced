package io.marchproxy.dataplane.qos;

import io.marchproxy.dataplane.ThreadAllocation;
import io.marchproxy.dataplane.counter.SingleWriterCounters;
import io.marchproxy.dataplane.packet.DropReason;
import io.marchproxy.dataplane.packet.FrameBuilder;
import io.marchproxy.dataplane.packet.PacketParser;
import io.marchproxy.dataplane.packet.ParsedPacket;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The QoS path allocates nothing: DSCP marking, a service's token bucket, the shaper's wheel, the class queues, the
 * link's bucket and the round robin between classes, over 100,000 frames after a warm-up, with every kind of drop
 * happening along the way; measured with the JVM's per-thread allocation counter.
 */
class QosAllocationTest
{
    /** A port that takes everything and counts; nothing kept. */
    private static final class CountingPort implements TxPort
    {
        long sent;
        long discarded;

        @Override
        public int txRoom(final int max)
        {
            return max;
        }

        @Override
        public boolean transmit(final long address, final int length)
        {
            sent++;
            return true;
        }

        @Override
        public void discard(final long address)
        {
            discarded++;
        }
    }

    @Test
    void zeroBytesOverOneHundredThousandFrames()
    {
        final CountingPort port = new CountingPort();
        final SingleWriterCounters drops = SingleWriterCounters.forEnum(DropReason.class);
        final EgressScheduler scheduler = new EgressScheduler(
            QosSettings.DEFAULTS.withLink(200_000_000, 16 * 1024).withQueues(64, 64), port, drops);
        final TokenBucket shaped = new TokenBucket(50_000_000, 8 * 1024);
        final byte[] frame = new FrameBuilder().addresses("10.0.0.1", "10.0.0.2").udp(1000, 53).payload(1000)
            .frame();
        final ParsedPacket packet = new ParsedPacket();
        new PacketParser(drops).parse(MemorySegment.ofArray(frame), 0, frame.length, packet);
        final long bound = PriorityClass.P2.defaultMaxDelay().toNanos();

        final long[] now = {5_000_000_000L};
        final Runnable run = () ->
        {
            for (int i = 0; i < 100_000; i++)
            {
                now[0] += 20_000; // 20 us a frame: 50k frames/s of 1042 bytes, over the 200 Mbit/s link at times
                final int cls = i & 3;
                DscpMarker.mark(packet, cls * 10);
                final long eligible = cls == 2 ? shaped.conformsAt(now[0]) : now[0];
                if (scheduler.offer(i, frame.length, cls, now[0], eligible, bound) && cls == 2)
                {
                    shaped.consume(eligible, frame.length);
                }
                if ((i & 7) == 0)
                {
                    scheduler.release(now[0]);
                }
            }
        };
        for (int warm = 0; warm < 10; warm++)
        {
            run.run();
        }
        assertEquals(0, ThreadAllocation.bytesAllocatedBy(run), "bytes allocated over 100,000 frames");
        assertTrue(port.sent > 0 && drops.get(DropReason.QOS_DELAY_EXCEEDED) + drops.get(DropReason.QOS_QUEUE_FULL)
            + drops.get(DropReason.QOS_RATE_EXCEEDED) > 0,
            "frames were sent and dropped: " + drops);
        assertTrue(scheduler.counter(PriorityClass.P2, QosCounter.SHAPED) > 0, "and shaped");
    }
}
