package io.marchproxy.perflab;

import java.lang.management.ManagementFactory;
import java.util.function.DoubleSupplier;

/**
 * The measurement window of {@code lab_common.h}, to the letter: it opens {@code warmup} seconds after the first
 * packet and lasts {@code seconds}, after one rehearsal inside the warm-up (see {@link #add}); packets of the turn that
 * opens it are not counted. Time is the monotonic clock in
 * seconds; CPU is the process's user + system time at the window's start and end.
 */
final class MeasurementWindow
{
    private static final com.sun.management.OperatingSystemMXBean OS =
        (com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
    private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final double warmup;
    private final double seconds;
    private final DoubleSupplier loopThreadCpu;
    double first;
    double start;
    double end;
    long packets;
    double cpuStart;
    double cpuEnd;
    double threadCpuStart;
    double threadCpuEnd;
    boolean rehearsed;
    /** When the (rehearsal, then real) window opens after the first packet, and how long it lasts. */
    private double openAt;
    private double length;

    MeasurementWindow(final double warmup, final double seconds)
    {
        this(warmup, seconds, MeasurementWindow::threadCpuSeconds);
    }

    /**
     * A window whose loop-thread CPU ({@code threadCpuStart}/{@code threadCpuEnd}) comes from {@code loopThreadCpu}
     * (seconds) instead of the calling thread: for a loop that runs on a thread other than the one measuring.
     */
    MeasurementWindow(final double warmup, final double seconds, final DoubleSupplier loopThreadCpu)
    {
        this.warmup = warmup;
        this.seconds = seconds;
        this.loopThreadCpu = loopThreadCpu;
        this.openAt = warmup / 4;
        this.length = warmup / 4;
    }

    static double now()
    {
        return System.nanoTime() * 1e-9;
    }

    static double cpuSeconds()
    {
        return OS.getProcessCpuTime() * 1e-9;
    }

    /** CPU time of the calling (measuring) thread: the process's minus this is what the JVM's other threads used. */
    static double threadCpuSeconds()
    {
        return THREADS.getCurrentThreadCpuTime() * 1e-9;
    }

    /**
     * Called once per loop turn with that turn's packets; true once the window is over.
     *
     * <p>As in lab_common.h, the window is rehearsed once inside the warm-up (open at warmup/4, closed at warmup/2
     * after the first packet, thrown away) before the real one opens at warmup: a branch first taken in compiled code
     * deoptimises the loop that inlined this method, and the rehearsal makes that, and the recompilation, happen
     * before the measurement instead of at its start.
     */
    boolean add(final double now, final long n)
    {
        if (first == 0)
        {
            if (n == 0)
            {
                return false;
            }
            first = now;
        }
        if (start == 0)
        {
            if (now - first < openAt)
            {
                return false;
            }
            start = now;
            packets = 0;
            cpuStart = cpuSeconds();
            threadCpuStart = loopThreadCpu.getAsDouble();
            return false;
        }
        if (now - start >= length)
        {
            end = now;
            cpuEnd = cpuSeconds();
            threadCpuEnd = loopThreadCpu.getAsDouble();
            if (rehearsed)
            {
                return true;
            }
            // The real window takes the same path as the rehearsal: only the thresholds change, no branch is new.
            rehearsed = true;
            start = 0;
            end = 0;
            openAt = warmup;
            length = seconds;
            return false;
        }
        packets += n;
        return false;
    }

    /** Closes the window if it is still open (stopped early) and returns its length in seconds. */
    double close(final double now)
    {
        if (start == 0 || !rehearsed)
        {
            // Stopped before the real window opened: nothing of the rehearsal may reach the figures.
            packets = 0;
            cpuStart = cpuEnd = threadCpuStart = threadCpuEnd = 0;
            return 0;
        }
        if (end == 0)
        {
            end = now;
            cpuEnd = cpuSeconds();
            threadCpuEnd = loopThreadCpu.getAsDouble();
        }
        return end - start;
    }
}
