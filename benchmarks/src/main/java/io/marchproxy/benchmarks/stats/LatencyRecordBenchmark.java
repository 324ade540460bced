package io.marchproxy.benchmarks.stats;

import io.marchproxy.dataplane.counter.LatencyHistogram;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Recording a latency the way the dataplane thread does ({@link LatencyHistogram.Writer#record}: an HdrHistogram
 * {@code SingleWriterRecorder} of its own), with values spread over 0.5-64 us so that different buckets are hit.
 * {@link #recordTurn} is the pipeline's use, once per turn with the turn's frame count; {@link #recordAndMerge} adds a
 * reader merging every 4,096 records (what a scrape does, far more often than one would). Target: <= 10 ns/op,
 * 0 B/op ({@code -prof gc}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LatencyRecordBenchmark
{
    private final LatencyHistogram histogram = new LatencyHistogram();
    private LatencyHistogram.Writer writer;
    private long value = 0x9E37_79B9_7F4A_7C15L;
    private int n;

    @Setup
    public void setUp()
    {
        writer = histogram.newWriter();
    }

    private long next()
    {
        value = value * 6364136223846793005L + 1442695040888963407L;
        return 500 + ((value >>> 40) & 0xFFFF); // 0.5 to 66 us
    }

    @Benchmark
    public void record()
    {
        writer.record(next(), 1);
    }

    @Benchmark
    public void recordTurn()
    {
        writer.record(next(), 32);
    }

    @Benchmark
    public void recordAndMerge()
    {
        writer.record(next(), 1);
        if ((++n & 4095) == 0)
        {
            histogram.snapshot();
        }
    }
}
