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

/** {@code <sys/resource.h>}: the locked-memory limit that UMEM registration is charged against. */
@CHeader("sys/resource.h")
public final class SysResource
{
    /** The most memory that may be locked (and charged for a UMEM): {@code RLIMIT_MEMLOCK}. */
    public static final int RLIMIT_MEMLOCK = 8;
    /** No limit. */
    public static final long RLIM_INFINITY = -1L;

    /** {@code struct rlimit}. */
    public static final StructLayout rlimit = MemoryLayout.structLayout(
        JAVA_LONG.withName("rlim_cur"),
        JAVA_LONG.withName("rlim_max")).withName("struct rlimit");

    private static final MethodHandle GETRLIMIT = Downcalls.libcErrno(
        "getrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));

    private SysResource()
    {
    }

    /** {@return the downcall handle of {@code getrlimit}} */
    public static MethodHandle getrlimit$handle()
    {
        return GETRLIMIT;
    }

    /**
     * {@code int getrlimit(int resource, struct rlimit *rlim)}; errno captured.
     *
     * @param resource {@link #RLIMIT_MEMLOCK}
     * @param rlim a {@link #rlimit} where the soft and hard limits go
     * @return 0, or -1 with errno set
     */
    public static int getrlimit(final int resource, final MemorySegment rlim)
    {
        try
        {
            return (int)GETRLIMIT.invokeExact(CallState.segment(), resource, rlim);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }
}
