package io.marchproxy.dataplane;

import java.lang.management.ManagementFactory;

/**
 * What the allocation tests measure: the bytes the calling thread allocates while it runs something, as the JVM counts
 * them ({@code com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes}). A count, not a timing.
 */
public final class ThreadAllocation
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private ThreadAllocation()
    {
    }

    /**
     * {@return the bytes this thread allocated while running {@code work}}
     *
     * @param work what to measure, run once on this thread
     */
    public static long bytesAllocatedBy(final Runnable work)
    {
        final long before = THREADS.getCurrentThreadAllocatedBytes();
        work.run();
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }
}
