package io.marchproxy.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * Per-thread segment that downcalls made with {@link Linker.Option#captureCallState(String...)} write {@code errno}
 * into. Read {@link #errno()} on the same thread right after the call; the segment is allocated once per thread, so
 * reading it allocates nothing.
 */
public final class CallState
{
    /** The option every errno-setting downcall is linked with. */
    public static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final StructLayout LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
        LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> STATE =
        ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(LAYOUT));

    private CallState()
    {
    }

    /** {@return the calling thread's capture segment, passed as the first argument of errno-capturing handles} */
    public static MemorySegment segment()
    {
        return STATE.get();
    }

    /** {@return the errno captured by the calling thread's most recent errno-capturing downcall} */
    public static int errno()
    {
        return (int)ERRNO.get(STATE.get(), 0L);
    }

    /**
     * A capture segment of its own, for a caller that keeps one per object instead of using the thread's (a socket
     * whose packet-path calls must not even look up a thread-local).
     *
     * @param arena the arena that owns the segment
     * @return a zeroed segment of {@link Linker.Option#captureStateLayout()}
     */
    public static MemorySegment allocate(final Arena arena)
    {
        return arena.allocate(LAYOUT);
    }

    /**
     * The errno an errno-capturing downcall wrote into {@code state}.
     *
     * @param state a segment from {@link #allocate} or {@link #segment()}, passed to the downcall
     * @return the captured errno
     */
    public static int errno(final MemorySegment state)
    {
        return (int)ERRNO.get(state, 0L);
    }
}
