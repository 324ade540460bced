package io.marchproxy.benchmarks;

import io.marchproxy.dataplane.xsk.CompletionRing;
import io.marchproxy.dataplane.xsk.FillRing;
import io.marchproxy.dataplane.xsk.RingDescriptor;
import io.marchproxy.dataplane.xsk.RxRing;
import io.marchproxy.dataplane.xsk.TxRing;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The four AF_XDP rings' batch operations over plain memory laid out as the kernel lays out ring memory
 * ({@link RingDescriptor#standalone}): reserve/write/submit on the producer rings (fill, TX), peek/read/release on
 * the consumer rings (RX, completion), batches of 1 to 64. Each operation also plays the kernel's side with one store
 * of its index word (consumer for producer rings, producer for consumer rings), so the ring never fills or runs dry.
 * Run with {@code -prof gc}: every operation allocates 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class RingBenchmark
{
    private static final int CAPACITY = 2048;

    @Param({"1", "8", "16", "32", "64"})
    int batch;

    private Arena arena;
    private FillRing fill;
    private TxRing tx;
    private RxRing rx;
    private CompletionRing completion;
    private MemorySegment fillMemory;
    private MemorySegment txMemory;
    private MemorySegment rxMemory;
    private MemorySegment completionMemory;
    private RingDescriptor addressRing;
    private RingDescriptor descriptorRing;
    private int rxProducer;
    private int completionProducer;
    private long frame;

    @Setup(Level.Trial)
    public void setUp()
    {
        arena = Arena.ofShared();
        addressRing = RingDescriptor.standalone(CAPACITY, RingDescriptor.ADDRESS_ENTRY_SIZE);
        descriptorRing = RingDescriptor.standalone(CAPACITY, RingDescriptor.DESCRIPTOR_ENTRY_SIZE);
        fillMemory = arena.allocate(addressRing.mappedLength(), 4096);
        completionMemory = arena.allocate(addressRing.mappedLength(), 4096);
        txMemory = arena.allocate(descriptorRing.mappedLength(), 4096);
        rxMemory = arena.allocate(descriptorRing.mappedLength(), 4096);
        for (int i = 0; i < CAPACITY; i++)
        {
            completionMemory.set(JAVA_LONG, addressRing.entryOffset(i), 4096L * i);
            rxMemory.set(JAVA_LONG, descriptorRing.entryOffset(i) + RingDescriptor.DESC_ADDR_OFFSET, 4096L * i + 256);
            rxMemory.set(JAVA_INT, descriptorRing.entryOffset(i) + RingDescriptor.DESC_LEN_OFFSET, 60);
        }
        fill = new FillRing(fillMemory, addressRing);
        tx = new TxRing(txMemory, descriptorRing);
        rx = new RxRing(rxMemory, descriptorRing);
        completion = new CompletionRing(completionMemory, addressRing);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        arena.close();
    }

    /** Fill ring: reserve a batch, write a frame address into each slot, submit; the "kernel" takes them all. */
    @Benchmark
    public int fillReserveSubmit()
    {
        final FillRing fill = this.fill;
        final int n = fill.reserve(batch);
        long address = frame;
        for (int i = 0; i < n; i++)
        {
            fill.set(i, address);
            address += 4096;
        }
        frame = address & 0xffffff;
        fill.submit();
        fillMemory.set(JAVA_INT, addressRing.consumerOffset(), fill.producerIndex());
        return n;
    }

    /** TX ring: reserve a batch, write a descriptor into each slot, submit; the "kernel" takes them all. */
    @Benchmark
    public int txReserveSubmit()
    {
        final TxRing tx = this.tx;
        final int n = tx.reserve(batch);
        long address = frame;
        for (int i = 0; i < n; i++)
        {
            tx.set(i, address, 60);
            address += 4096;
        }
        frame = address & 0xffffff;
        tx.submit();
        txMemory.set(JAVA_INT, descriptorRing.consumerOffset(), tx.producerIndex());
        return n;
    }

    /** RX ring: the "kernel" publishes a batch; peek it, read each descriptor, release. */
    @Benchmark
    public long rxPeekRelease()
    {
        rxProducer += batch;
        rxMemory.set(JAVA_INT, descriptorRing.producerOffset(), rxProducer);
        final RxRing rx = this.rx;
        final int n = rx.peek(batch);
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += rx.address(i) + rx.length(i);
        }
        rx.release();
        return sum;
    }

    /** Completion ring: the "kernel" publishes a batch; peek it, read each address, release. */
    @Benchmark
    public long completionPeekRelease()
    {
        completionProducer += batch;
        completionMemory.set(JAVA_INT, addressRing.producerOffset(), completionProducer);
        final CompletionRing completion = this.completion;
        final int n = completion.peek(batch);
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += completion.address(i);
        }
        completion.release();
        return sum;
    }
}
