package io.marchproxy.ffm.libc;

import io.marchproxy.ffm.CHeader;
import io.marchproxy.ffm.CallState;
import io.marchproxy.ffm.Downcalls;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code <sched.h>} (with {@code _GNU_SOURCE}): CPU affinity of the calling thread, the CPU it runs on, and entering
 * namespaces.
 */
@CHeader("sched.h")
public final class Sched
{
    /** {@code setns}/{@code unshare}: a network namespace. */
    public static final int CLONE_NEWNET = 0x40000000;
    /** The number of CPUs a {@link #cpu_set_t} holds. */
    public static final int CPU_SETSIZE = 1024;

    /** {@code cpu_set_t}: a bit per CPU in 64-bit words. */
    public static final StructLayout cpu_set_t = MemoryLayout.structLayout(
        MemoryLayout.sequenceLayout(CPU_SETSIZE / 64, JAVA_LONG).withName("__bits")).withName("cpu_set_t");

    private static final MethodHandle SCHED_SETAFFINITY = Downcalls.libcErrno(
        "sched_setaffinity", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle SCHED_GETAFFINITY = Downcalls.libcErrno(
        "sched_getaffinity", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle SCHED_GETCPU = Downcalls.libcErrno(
        "sched_getcpu", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SETNS = Downcalls.libcErrno(
        "setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private Sched()
    {
    }

    /** {@return the downcall handle of {@code sched_setaffinity}} */
    public static MethodHandle sched_setaffinity$handle()
    {
        return SCHED_SETAFFINITY;
    }

    /** {@return the downcall handle of {@code sched_getaffinity}} */
    public static MethodHandle sched_getaffinity$handle()
    {
        return SCHED_GETAFFINITY;
    }

    /** {@return the downcall handle of {@code sched_getcpu}} */
    public static MethodHandle sched_getcpu$handle()
    {
        return SCHED_GETCPU;
    }

    /** {@return the downcall handle of {@code setns}} */
    public static MethodHandle setns$handle()
    {
        return SETNS;
    }

    /**
     * {@code int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *mask)}; pid 0 is the calling thread.
     *
     * @param pid the thread, 0 for the calling one
     * @param size the mask's size in bytes
     * @param mask a {@link #cpu_set_t}
     * @return 0, or -1 with errno set
     */
    public static int sched_setaffinity(final int pid, final long size, final MemorySegment mask)
    {
        try
        {
            return (int)SCHED_SETAFFINITY.invokeExact(CallState.segment(), pid, size, mask);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *mask)}; pid 0 is the calling thread, else a
     * thread id ({@link Unistd#gettid()}).
     *
     * @param pid 0 for the calling thread, or a thread id
     * @param size the mask's size in bytes
     * @param mask where the kernel writes the CPU set
     * @return 0, or -1 with errno set
     */
    public static int sched_getaffinity(final int pid, final long size, final MemorySegment mask)
    {
        try
        {
            return (int)SCHED_GETAFFINITY.invokeExact(CallState.segment(), pid, size, mask);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /** {@return {@code int sched_getcpu(void)}: the CPU the calling thread runs on now, or -1 with errno set} */
    public static int sched_getcpu()
    {
        try
        {
            return (int)SCHED_GETCPU.invokeExact(CallState.segment());
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code int setns(int fd, int nstype)}: moves the calling thread into the namespace {@code fd} refers to.
     *
     * @param fd a descriptor of the namespace (e.g. {@code /var/run/netns/NAME} opened)
     * @param nstype {@link #CLONE_NEWNET}, or 0 for any type
     * @return 0, or -1 with errno set
     */
    public static int setns(final int fd, final int nstype)
    {
        try
        {
            return (int)SETNS.invokeExact(CallState.segment(), fd, nstype);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * Sets bit {@code cpu} in a {@link #cpu_set_t} segment ({@code CPU_SET}).
     *
     * @param set a {@link #cpu_set_t} segment
     * @param cpu the CPU's number, below {@link #CPU_SETSIZE}
     */
    public static void cpuSet(final MemorySegment set, final int cpu)
    {
        final long offset = (cpu / 64) * Long.BYTES;
        set.set(JAVA_LONG, offset, set.get(JAVA_LONG, offset) | (1L << (cpu % 64)));
    }

    /**
     * {@return whether bit {@code cpu} is set in a {@link #cpu_set_t} segment} ({@code CPU_ISSET})
     *
     * @param set a {@link #cpu_set_t} segment
     * @param cpu the CPU's number, below {@link #CPU_SETSIZE}
     */
    public static boolean cpuIsSet(final MemorySegment set, final int cpu)
    {
        return (set.get(JAVA_LONG, (cpu / 64) * Long.BYTES) & (1L << (cpu % 64))) != 0;
    }
}
