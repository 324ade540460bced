package io.marchproxy.dataplane.cpu;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pinning through FFM, checked against what the kernel publishes in /proc for the thread. */
class ThreadAffinityTest
{
    @Test
    void aPinnedThreadShowsItsCpuInProc() throws Exception
    {
        final CpuSet allowed = ThreadAffinity.currentThread();
        final int[] cpus = allowed.toArray();
        final CpuSet target = CpuSet.of(cpus[cpus.length - 1]);
        final AtomicReference<String> status = new AtomicReference<>();
        final AtomicReference<int[]> seen = new AtomicReference<>();
        final Thread t = new Thread(() ->
        {
            ThreadAffinity.pinCurrentThread(target);
            final int tid = ThreadAffinity.currentThreadId();
            try
            {
                status.set(Files.readString(Path.of("/proc/self/task/" + tid + "/status")));
            }
            catch (final java.io.IOException ex)
            {
                throw new java.io.UncheckedIOException(ex);
            }
            seen.set(new int[]{ThreadAffinity.currentCpu(), tid});
        });
        t.start();
        t.join();
        assertEquals(target.toString(), field(status.get(), "Cpus_allowed_list"));
        assertEquals(target.toArray()[0], seen.get()[0], "sched_getcpu runs where it was pinned");
        assertEquals(allowed, ThreadAffinity.currentThread(), "only the pinned thread changed");
    }

    @Test
    void anOfflineCpuIsRefusedWithAMessage()
    {
        final CpuSet none = CpuSet.of(1000);
        final Exception ex = assertThrows(RuntimeException.class, () -> ThreadAffinity.pinCurrentThread(none));
        assertTrue(ex.getMessage().contains("EINVAL") && ex.getMessage().contains("1000"), ex.getMessage());
    }

    static String field(final String status, final String name)
    {
        for (final String line : status.split("\n"))
        {
            if (line.startsWith(name + ":"))
            {
                return line.substring(name.length() + 1).strip();
            }
        }
        throw new AssertionError(name + " not in " + status);
    }
}
