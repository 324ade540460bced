package io.marchproxy.lab;

import io.marchproxy.dataplane.netns.HostCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What every lab does with its namespaces beyond creating them: labs still open when the JVM exits are closed by one
 * shutdown hook, and namespaces of labs whose process died (kill -9, a crashed fork) are swept by the next lab made.
 * A lab's namespace names start with a prefix and the owner's pid, which is how a sweep tells them apart.
 */
final class LabNamespaces
{
    private static final Set<AutoCloseable> OPEN = ConcurrentHashMap.newKeySet();

    static
    {
        Runtime.getRuntime().addShutdownHook(new Thread(LabNamespaces::closeAll, "lab-cleanup"));
    }

    private LabNamespaces()
    {
    }

    /** Closes {@code lab} at JVM exit unless {@link #release} was called for it first. */
    static void closeOnExit(final AutoCloseable lab)
    {
        OPEN.add(lab);
    }

    /** Forgets {@code lab}; true the first time, so that {@code close()} can use it as its idempotence guard. */
    static boolean release(final AutoCloseable lab)
    {
        return OPEN.remove(lab);
    }

    /**
     * Deletes the namespaces whose name {@code owned} matches, with the owner's pid as group 1, when that process no
     * longer runs.
     */
    static void sweepStale(final Pattern owned)
    {
        final Path dir = Path.of("/var/run/netns");
        if (!Files.isDirectory(dir))
        {
            return;
        }
        try (Stream<Path> entries = Files.list(dir))
        {
            entries.map(p -> p.getFileName().toString()).forEach(name ->
            {
                final Matcher m = owned.matcher(name);
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty())
                {
                    try
                    {
                        HostCommand.run("ip", "netns", "delete", name);
                    }
                    catch (final RuntimeException ignored)
                    {
                        // Another process swept it first.
                    }
                }
            });
        }
        catch (final IOException ignored)
        {
            // Nothing to sweep.
        }
    }

    private static void closeAll()
    {
        for (final AutoCloseable lab : OPEN)
        {
            try
            {
                lab.close();
            }
            catch (final Exception ex)
            {
                System.err.println("lab cleanup at exit failed: " + ex);
            }
        }
    }
}
