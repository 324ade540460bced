package io.marchproxy.node;

import io.marchproxy.dataplane.bpf.XskProgram;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Prints the XDP program's counters once a second as a table, with optional extra columns, until stopped. */
public final class CounterTable
{
    private CounterTable()
    {
    }

    /**
     * Prints a row a second for {@code seconds} (0: until {@code stop} opens). {@code extraHeader} and {@code extra}
     * add columns (both may be empty).
     */
    public static void print(
        final XskProgram program, final long seconds, final CountDownLatch stop, final PrintStream out,
        final String extraHeader, final Supplier<String> extra) throws InterruptedException
    {
        out.printf("%8s %12s %12s %12s %12s %12s %10s %s%n",
            "time", "rx_packets", "rx_bytes", "passed", "svc_matched", "redirected", "pps", extraHeader);
        long lastPackets = program.counter(XskProgram.Counter.RX_PACKETS);
        final long start = System.nanoTime();
        for (long tick = 1; seconds == 0 || tick <= seconds; tick++)
        {
            if (stop.await(start + TimeUnit.SECONDS.toNanos(tick) - System.nanoTime(), TimeUnit.NANOSECONDS))
            {
                return;
            }
            final long packets = program.counter(XskProgram.Counter.RX_PACKETS);
            out.printf("%7ds %12d %12d %12d %12d %12d %10d %s%n", tick, packets,
                program.counter(XskProgram.Counter.RX_BYTES),
                program.counter(XskProgram.Counter.PASSED_NO_SOCKET) + program.counter(XskProgram.Counter.PASSED_POLICY),
                program.counter(XskProgram.Counter.SERVICE_MATCHED),
                program.counter(XskProgram.Counter.REDIRECTED),
                packets - lastPackets,
                extra.get());
            lastPackets = packets;
        }
    }
}
