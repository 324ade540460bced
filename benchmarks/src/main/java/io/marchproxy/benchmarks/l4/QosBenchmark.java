package io.marchproxy.benchmarks.l4;

import io.marchproxy.dataplane.counter.SingleWriterCounters;
import io.marchproxy.dataplane.packet.DropReason;
import io.marchproxy.dataplane.packet.IpProtocol;
import io.marchproxy.dataplane.packet.PacketParser;
import io.marchproxy.dataplane.packet.ParsedPacket;
import io.marchproxy.dataplane.qos.DscpMarker;
import io.marchproxy.dataplane.qos.EgressScheduler;
import io.marchproxy.dataplane.qos.PriorityClass;
import io.marchproxy.dataplane.qos.QosSettings;
import io.marchproxy.dataplane.qos.TokenBucket;
import io.marchproxy.dataplane.qos.TxPort;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * The QoS stage of the proxy's egress, per frame, as the worker runs it (time passed in, no clock read):
 * <ul>
 *   <li>{@link #bucketAndPriorityDequeue}: a frame of a rate-limited service through its token bucket into its
 *       class's queue behind a backlog of all four classes, and one frame out by the deficit round robin (the
 *       congested case; offers follow the 40/30/20/10 shares so the queues stay put);</li>
 *   <li>{@link #bucketAndStraightOut}: the same frame when nothing is queued and the bucket has tokens: the QoS cost
 *       of an uncongested proxy (the classes on, no limit hit);</li>
 *   <li>{@link #dscpMark}: the DSCP written into an IPv4 header with its checksum fixed.</li>
 * </ul>
 * Run with {@code -prof gc}: 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class QosBenchmark
{
    /** Offers by class in the proportions of the default weights, so the queues neither fill nor empty. */
    private static final int[] CLASSES = {0, 1, 2, 0, 3, 1, 0, 2, 1, 0};
    private static final int LENGTH = 1000;
    private static final long STEP_NANOS = 80; // 1000-byte frames at 100 Gbit/s: the bucket never runs dry

    /** A TX ring with room for {@link #room} frames, that counts what it sends and drops. */
    private static final class Port implements TxPort
    {
        int room = Integer.MAX_VALUE;
        long sent;
        long discarded;

        @Override
        public int txRoom(final int max)
        {
            return Math.min(max, room);
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

    private final Port congestedPort = new Port();
    private final Port idlePort = new Port();
    private final SingleWriterCounters drops = SingleWriterCounters.forEnum(DropReason.class);
    private EgressScheduler congested;
    private EgressScheduler idle;
    private TokenBucket bucket;
    private final ParsedPacket packet = new ParsedPacket();
    private long now = 1_000_000_000L;
    private long address;
    private int turn;
    private int dscp;

    @Setup(Level.Trial)
    public void setUp()
    {
        congested = new EgressScheduler(QosSettings.DEFAULTS.withQueues(4096, 16), congestedPort, drops);
        idle = new EgressScheduler(QosSettings.DEFAULTS, idlePort, drops);
        bucket = new TokenBucket(400_000_000_000L, 1 << 20);
        congestedPort.room = 0;
        for (int i = 0; i < 2048; i++)
        {
            congested.offer(address++, LENGTH, i & 3, now, now, Long.MAX_VALUE / 4);
        }
        congestedPort.room = 1;
        final MemorySegment frame = MemorySegment.ofArray(new byte[2048]);
        final int length = BenchmarkFrames.write(frame, IpProtocol.UDP, 0x0A00_0001, 40000, 0x0A00_0002, 53, 958);
        new PacketParser(drops).parse(frame, 0, length, packet);
    }

    @Benchmark
    public int bucketAndPriorityDequeue()
    {
        now += STEP_NANOS;
        final int cls = CLASSES[turn];
        turn = turn == CLASSES.length - 1 ? 0 : turn + 1;
        final long eligible = bucket.conformsAt(now);
        if (congested.offer(address++, LENGTH, cls, now, eligible, PriorityClass.P3.defaultMaxDelay().toNanos()))
        {
            bucket.consume(eligible, LENGTH);
        }
        return congested.release(now);
    }

    @Benchmark
    public boolean bucketAndStraightOut()
    {
        now += STEP_NANOS;
        final long eligible = bucket.conformsAt(now);
        final boolean kept = idle.offer(address++, LENGTH, 1, now, eligible,
            PriorityClass.P1.defaultMaxDelay().toNanos());
        bucket.consume(eligible, LENGTH);
        return kept;
    }

    @Benchmark
    public int dscpMark()
    {
        dscp = (dscp + 18) & 63;
        DscpMarker.mark(packet, dscp);
        return dscp;
    }
}
