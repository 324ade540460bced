package io.marchproxy.benchmarks.l4;

import io.marchproxy.dataplane.balance.Backend;
import io.marchproxy.dataplane.balance.MaglevSelector;
import io.marchproxy.dataplane.net.IpAddress;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Maglev tables of 65,537 slots: {@link #build} constructs a selector for the backends (allocates its table),
 * {@link #rebuildOnHealthChange} flips one backend's health, which refills the table in place without allocating.
 * Weights 1..4 cycle over the backends.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class MaglevBenchmark
{
    @Param({"100"})
    int backends;

    private List<Backend> list;
    private MaglevSelector selector;
    private boolean down;

    @Setup(Level.Trial)
    public void setUp()
    {
        list = new ArrayList<>();
        for (int i = 0; i < backends; i++)
        {
            list.add(new Backend(IpAddress.ipv4(0x0A00_0000 + i), 8080, 1 + i % 4, true));
        }
        selector = new MaglevSelector(list);
    }

    @Benchmark
    public int build()
    {
        return new MaglevSelector(list).slot(0);
    }

    @Benchmark
    public int rebuildOnHealthChange()
    {
        down = !down;
        selector.available(0, !down);
        return selector.slot(0);
    }
}
