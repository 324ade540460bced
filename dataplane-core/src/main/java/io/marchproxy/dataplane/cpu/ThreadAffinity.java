package io.marchproxy.dataplane.cpu;

import io.marchproxy.ffm.ErrnoException;
import io.marchproxy.ffm.CallState;
import io.marchproxy.ffm.libc.Errno;
import io.marchproxy.ffm.libc.Sched;
import io.marchproxy.ffm.libc.Unistd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * CPU affinity of threads through {@code sched_setaffinity}/{@code sched_getaffinity} (FFM): what pins a dataplane
 * thread to its cores. Setup-rate (each call allocates a scratch {@code cpu_set_t}).
 */
public final class ThreadAffinity
{
    private ThreadAffinity()
    {
    }

    /**
     * Restricts the calling thread to {@code cpus}. Fails with a message naming the CPUs when the kernel refuses them
     * (EINVAL: none of them online or allowed by the process's cpuset cgroup).
     *
     * @param cpus the CPUs to run on
     */
    public static void pinCurrentThread(final CpuSet cpus)
    {
        if (cpus.isEmpty())
        {
            throw new IllegalArgumentException("cannot pin a thread to no CPU");
        }
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment mask = arena.allocate(Sched.cpu_set_t);
            cpus.write(mask);
            if (Sched.sched_setaffinity(0, mask.byteSize(), mask) != 0)
            {
                final int errno = CallState.errno();
                throw new ErrnoException("sched_setaffinity(CPUs " + cpus + ")", errno, errno == Errno.EINVAL
                    ? "none of these CPUs is online and allowed to this process (see Cpus_allowed_list in "
                    + "/proc/self/status and /sys/devices/system/cpu/online)" : null);
            }
        }
    }

    /** {@return the CPUs the calling thread may run on} */
    public static CpuSet currentThread()
    {
        return ofThread(0);
    }

    /**
     * {@return the CPUs thread {@code tid} may run on}
     *
     * @param tid a thread id, 0 for the calling thread
     */
    public static CpuSet ofThread(final int tid)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment mask = arena.allocate(Sched.cpu_set_t);
            Errno.check(Sched.sched_getaffinity(tid, mask.byteSize(), mask), "sched_getaffinity(" + tid + ")");
            return CpuSet.read(mask);
        }
    }

    /** {@return the kernel's id of the calling thread: its directory under {@code /proc/self/task/}} */
    public static int currentThreadId()
    {
        return Unistd.gettid();
    }

    /** {@return the CPU the calling thread runs on at this instant} */
    public static int currentCpu()
    {
        return Errno.check(Sched.sched_getcpu(), "sched_getcpu()");
    }
}
