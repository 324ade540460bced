package io.marchproxy.lab;

import io.marchproxy.dataplane.netns.HostCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lab outlives no process for long: a JVM that exits without closing its lab deletes it on the way out, and the lab
 * of a JVM killed with SIGKILL (no hook runs) is swept by the next lab any process creates.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class L4LabCleanupTest
{
    @Test
    void aJvmThatExitsWithoutClosingItsLabDeletesIt() throws Exception
    {
        final Process child = child("exit");
        final List<String> names = namespacesOf(child);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, child.exitValue());
        assertTrue(names.stream().noneMatch(netnsList()::contains), "left behind: " + netnsList());
    }

    @Test
    void theLabOfAKilledJvmIsSweptByTheNextLab() throws Exception
    {
        final Process child = child("wait");
        final List<String> names = namespacesOf(child);
        child.destroyForcibly();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertTrue(netnsList().containsAll(names), "a SIGKILL runs no hook: the namespaces are still there");

        try (L4Lab _ = L4Lab.create(1, 1))
        {
            final List<String> after = netnsList();
            assertTrue(names.stream().noneMatch(after::contains), "not swept: " + after);
        }
    }

    private static Process child(final String mode) throws IOException
    {
        final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp",
            System.getProperty("java.class.path"), L4LabExitMain.class.getName(), mode))
            .redirectErrorStream(true).start();
    }

    /** The namespace names the child prints before READY; fails with its output if it ends first. */
    private static List<String> namespacesOf(final Process child) throws IOException
    {
        final List<String> lines = new ArrayList<>();
        final BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()));
        for (String line = out.readLine(); line != null; line = out.readLine())
        {
            if (line.equals("READY"))
            {
                assertEquals(6, lines.size(), "two switches, the node, 1 client, 2 backends: " + lines);
                return lines;
            }
            lines.add(line);
        }
        throw new AssertionError("the child ended before its lab was ready: " + lines);
    }

    private static List<String> netnsList()
    {
        return HostCommand.run("ip", "netns", "list").lines().map(line -> line.split(" ")[0]).toList();
    }
}
