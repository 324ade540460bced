package io.marchproxy.ffm.libc;

import io.marchproxy.ffm.CHeader;
import io.marchproxy.ffm.CallState;
import io.marchproxy.ffm.Downcalls;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/** {@code <net/if.h>}: interface names and indices. */
@CHeader("net/if.h")
public final class NetIf
{
    /** The size of an interface name buffer, terminating NUL included: names have at most 15 characters. */
    public static final int IF_NAMESIZE = 16;

    private static final MethodHandle IF_NAMETOINDEX = Downcalls.libcErrno(
        "if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    private NetIf()
    {
    }

    /** {@return the downcall handle of {@code if_nametoindex}} */
    public static MethodHandle if_nametoindex$handle()
    {
        return IF_NAMETOINDEX;
    }

    /**
     * {@code unsigned int if_nametoindex(const char *name)}: 0 when there is no such interface; errno captured.
     *
     * @param name the interface's name, a C string
     * @return its index, 0 if there is none
     */
    public static int if_nametoindex(final MemorySegment name)
    {
        try
        {
            return (int)IF_NAMETOINDEX.invokeExact(CallState.segment(), name);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * Convenience: the index of {@code name} in the calling thread's network namespace, 0 if there is none.
     *
     * @param name the interface's name
     * @return its index, 0 if there is none
     */
    public static int if_nametoindex(final String name)
    {
        try (Arena arena = Arena.ofConfined())
        {
            return if_nametoindex(arena.allocateFrom(name));
        }
    }
}
