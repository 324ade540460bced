package io.marchproxy.ffm;

import io.marchproxy.ffm.libbpf.Libbpf;
import io.marchproxy.ffm.libbpf.LibbpfLog;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** libbpf's own warnings arrive in Java logging, formatted, through the {@code libbpf_set_print} upcall. */
class LibbpfLogTest
{
    @Test
    void libbpfWarningsReachJavaLogging()
    {
        final Logger logger = Logger.getLogger("io.marchproxy.ffm.libbpf");
        final List<LogRecord> records = new CopyOnWriteArrayList<>();
        final Handler handler = new Handler()
        {
            @Override
            public void publish(final LogRecord record)
            {
                records.add(record);
            }

            @Override
            public void flush()
            {
            }

            @Override
            public void close()
            {
            }
        };
        logger.addHandler(handler);
        try (Arena arena = Arena.ofConfined())
        {
            LibbpfLog.install();
            final MemorySegment notElf = arena.allocateFrom("this is not an ELF object");
            final MemorySegment obj = Libbpf.bpf_object__open_mem(notElf, notElf.byteSize(), MemorySegment.NULL);
            assertEquals(MemorySegment.NULL, obj);
            assertTrue(CallState.errno() != 0, "errno set by the failed open");
            assertTrue(records.stream().anyMatch(r -> r.getLevel() == Level.WARNING &&
                r.getMessage().startsWith("libbpf: elf:")), "records: " + records.stream().map(LogRecord::getMessage).toList());
        }
        finally
        {
            logger.removeHandler(handler);
        }
    }
}
