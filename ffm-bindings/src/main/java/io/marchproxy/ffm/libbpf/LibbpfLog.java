package io.marchproxy.ffm.libbpf;

import io.marchproxy.ffm.Downcalls;
import io.marchproxy.ffm.libc.Stdio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Routes libbpf's log output into {@link System.Logger} {@code io.marchproxy.ffm.libbpf}: an upcall stub installed with
 * {@code libbpf_set_print} formats each message with {@code vsnprintf} and logs it at the matching level (WARN as
 * WARNING, INFO as INFO, DEBUG as DEBUG). Installing is idempotent and process-wide; the stub lives as long as the JVM.
 */
public final class LibbpfLog
{
    private static final System.Logger LOGGER = System.getLogger("io.marchproxy.ffm.libbpf");
    private static final int MESSAGE_CAPACITY = 2048;

    private static volatile MemorySegment stub;

    private LibbpfLog()
    {
    }

    /** Installs the Java print function in libbpf unless already done. */
    @SuppressWarnings("restricted") // the upcall stub libbpf calls: what this class is for
    public static synchronized void install()
    {
        if (stub != null)
        {
            return;
        }
        try
        {
            final MethodHandle target = MethodHandles.lookup().findStatic(
                LibbpfLog.class, "print", MethodType.methodType(int.class, int.class, MemorySegment.class, MemorySegment.class));
            stub = Downcalls.LINKER.upcallStub(target, Libbpf.libbpf_print_fn_t, Arena.global());
            Libbpf.libbpf_set_print(stub);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** The upcall: must not throw, as an exception escaping an upcall ends the JVM. */
    private static int print(final int level, final MemorySegment format, final MemorySegment args)
    {
        try
        {
            final System.Logger.Level javaLevel = switch (level)
            {
                case Libbpf.LIBBPF_WARN -> System.Logger.Level.WARNING;
                case Libbpf.LIBBPF_INFO -> System.Logger.Level.INFO;
                default -> System.Logger.Level.DEBUG;
            };
            if (!LOGGER.isLoggable(javaLevel))
            {
                return 0;
            }
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment buf = arena.allocate(MESSAGE_CAPACITY);
                final int n = Stdio.vsnprintf(buf, MESSAGE_CAPACITY, format, args);
                final String message = buf.getString(0).stripTrailing();
                LOGGER.log(javaLevel, message);
                return n;
            }
        }
        catch (final Throwable ex)
        {
            return 0;
        }
    }
}
