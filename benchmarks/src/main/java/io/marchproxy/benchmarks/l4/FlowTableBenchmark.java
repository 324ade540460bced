package io.marchproxy.benchmarks.l4;

import io.marchproxy.dataplane.conntrack.FlowTable;
import io.marchproxy.dataplane.conntrack.FlowTimeouts;
import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.net.IpFamily;
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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Flow-table lookups in a full table (capacity = flows: index load about one half) of 1,000 and 1,000,000 IPv4 UDP
 * flows. {@link #lookupHotSet} cycles over 1,024 flows picked at random (the algorithmic cost: hash, probe, key
 * compare, with the touched lines in cache, as for the active flows of a busy node); {@link #lookupUniform} picks
 * every flow with equal probability (at 1,000,000 flows the 108 MiB table is far larger than the caches, so each
 * lookup pays the index and record cache misses); {@link #lookupMiss} probes keys that are not there.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class FlowTableBenchmark
{
    private static final int UDP = 17;
    private static final int VIP = 0xC000_020A;
    private static final int HOT = 1024;

    @Param({"1000", "1000000"})
    int flows;

    private FlowTable table;
    private final FlowTuple key = new FlowTuple();
    private final int[] hot = new int[HOT];
    private int cursor;
    private long random = 0x9E37_79B9_7F4A_7C15L;

    @Setup(Level.Trial)
    public void setUp()
    {
        table = new FlowTable(IpFamily.IPV4, flows, FlowTimeouts.DEFAULTS);
        final FlowTuple reply = new FlowTuple();
        for (int i = 0; i < flows; i++)
        {
            original(i);
            reply.setIpv4(UDP, 0x0A00_0107, 53, 0x0A00_0001 + (i >>> 16), i & 0xFFFF);
            if (table.insert(key, reply, i & 0xFF, 0, 0, 0, 64) < 0)
            {
                throw new IllegalStateException("insert " + i);
            }
        }
        final SplittableRandom pick = new SplittableRandom(1);
        for (int i = 0; i < HOT; i++)
        {
            hot[i] = pick.nextInt(flows);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        table.close();
    }

    private FlowTuple original(final int flow)
    {
        return key.setIpv4(UDP, 0x0A00_0000 | flow, 1024 + (flow & 0x3FFF), VIP, 53);
    }

    @Benchmark
    public int lookupHotSet()
    {
        return table.lookup(original(hot[cursor++ & (HOT - 1)]));
    }

    @Benchmark
    public int lookupUniform()
    {
        long x = random;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        random = x;
        return table.lookup(original((int)(((x >>> 32) * flows) >>> 32)));
    }

    @Benchmark
    public int lookupMiss()
    {
        return table.lookup(key.setIpv4(UDP, 0x0B00_0000 | (cursor++ & 0xFFFFF), 7, VIP, 53));
    }
}
