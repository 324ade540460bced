package io.marchproxy.benchmarks.stats;

import io.marchproxy.dataplane.conntrack.FlowTable;
import io.marchproxy.dataplane.conntrack.FlowTimeouts;
import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.net.IpFamily;
import io.marchproxy.dataplane.packet.DropReason;
import io.marchproxy.journal.JournalWriter;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The dataplane thread's side of the flow journal: a flow's close record (tuples, backend, counters, times read from
 * a real {@link FlowTable}) written into the journal ring ({@link JournalWriter} on an agrona
 * {@code OneToOneRingBuffer}), and a drop sample. The ring is drained in the same thread every 64 records (so it
 * never fills and the measured path is the claim-write-commit one, the drain's cost included: an upper bound of the
 * hand-off). Target: <= 50 ns/op, 0 B/op ({@code -prof gc}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
public class JournalHandOffBenchmark
{
    private static final MessageHandler DISCARD = (type, buffer, index, length) ->
    {
    };

    private FlowTable table;
    private OneToOneRingBuffer ring;
    private JournalWriter writer;
    private int handle;
    private final FlowTuple dropped = new FlowTuple().setIpv4(17, 0x0AD5_000B, 40000, 0x0AD7_0001, 53);
    private long now;

    @Setup
    public void setUp()
    {
        table = new FlowTable(IpFamily.IPV4, 1024, FlowTimeouts.DEFAULTS);
        handle = table.insert(new FlowTuple().setIpv4(6, 0x0AD5_000B, 40000, 0x0AD7_0001, 80),
            new FlowTuple().setIpv4(6, 0x0AD6_000B, 8080, 0x0AD6_0001, 20001), 0, 1, 0, 0x02, 74);
        ring = new OneToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(
            (1 << 20) + RingBufferDescriptor.TRAILER_LENGTH)));
        writer = JournalWriter.onRing(ring, 0);
    }

    @TearDown
    public void tearDown()
    {
        if (writer.counters().get(JournalWriter.Counter.RING_FULL) != 0)
        {
            throw new IllegalStateException("the ring filled: the figure is not the hand-off's");
        }
        table.close();
    }

    @Benchmark
    public void flowClosed()
    {
        writer.closed(table, handle, now, ++now);
        if ((now & 63) == 0)
        {
            ring.read(DISCARD);
        }
    }

    @Benchmark
    public void dropSampled()
    {
        writer.dropped(DropReason.ACCESS_DENIED, 1, dropped, 0, ++now);
        if ((now & 63) == 0)
        {
            ring.read(DISCARD);
        }
    }
}
