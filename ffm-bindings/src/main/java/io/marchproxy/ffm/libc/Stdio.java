package io.marchproxy.ffm.libc;

import io.marchproxy.ffm.CHeader;
import io.marchproxy.ffm.Downcalls;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code <stdio.h>}: {@code vsnprintf}, to format libbpf's log messages (a format and a {@code va_list}). */
@CHeader({"stdio.h", "stdarg.h"})
public final class Stdio
{
    // On x86-64 a va_list parameter is passed as a pointer (va_list is an array type), so ADDRESS fits it.
    private static final MethodHandle VSNPRINTF = Downcalls.libc(
        "vsnprintf", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));

    private Stdio()
    {
    }

    /** {@return the downcall handle of {@code vsnprintf}} */
    public static MethodHandle vsnprintf$handle()
    {
        return VSNPRINTF;
    }

    /**
     * {@code int vsnprintf(char *buf, size_t size, const char *format, va_list args)}.
     *
     * @param buf where the text goes
     * @param size the buffer's size
     * @param format the format, a C string
     * @param args the arguments, a {@code va_list}
     * @return the length of the full text, or a negative value on error
     */
    public static int vsnprintf(final MemorySegment buf, final long size, final MemorySegment format, final MemorySegment args)
    {
        try
        {
            return (int)VSNPRINTF.invokeExact(buf, size, format, args);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }
}
