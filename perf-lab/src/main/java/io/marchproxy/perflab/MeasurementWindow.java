package io.marchproxy.perflab;

import java.lang.management.ManagementFactory;

/**
 * The measurement window of {@code lab_common.h}, to the letter: it opens {@code warmup} seconds after the first
 * packet and lasts {@code seconds}; packets of the turn that opens it are not counted. Time is the monotonic clock in
 * seconds; CPU is the process's user + system time at the window's start and end.
 */
final class MeasurementWindow
{
    private static final com.sun.management.OperatingSystemMXBean OS =
        (com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();

    private final double warmup;
    private final double seconds;
    double first;
    double start;
    double end;
    long packets;
    double cpuStart;
    double cpuEnd;

    MeasurementWindow(final double warmup, final double seconds)
    {
        this.warmup = warmup;
        this.seconds = seconds;
    }

    static double now()
    {
        return System.nanoTime() * 1e-9;
    }

    static double cpuSeconds()
    {
        return OS.getProcessCpuTime() * 1e-9;
    }

    /** Called once per loop turn with that turn's packets; true once the window is over. */
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
            if (now - first < warmup)
            {
                return false;
            }
            start = now;
            cpuStart = cpuSeconds();
            return false;
        }
        if (now - start >= seconds)
        {
            end = now;
            cpuEnd = cpuSeconds();
            return true;
        }
        packets += n;
        return false;
    }

    /** Closes the window if it is still open (stopped early) and returns its length in seconds. */
    double close(final double now)
    {
        if (start == 0)
        {
            return 0;
        }
        if (end == 0)
        {
            end = now;
            cpuEnd = cpuSeconds();
        }
        return end - start;
    }
}
