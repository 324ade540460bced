package io.marchproxy.control.store;

import io.marchproxy.control.model.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 durability: a child JVM writes thousands of clusters and acknowledges each on stdout; it is killed with
 * {@link ProcessHandle#destroyForcibly()} (SIGKILL) mid-stream, twice over the same directory. Every acknowledged write must be
 * there after reopening, the sequence must have no gaps, and the store must accept new writes.
 */
class ChronicleConfigStoreCrashTest {
    private static final int ACKS_BEFORE_KILL = 3000;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void acknowledgedWritesSurviveKillNine() throws Exception {
        Set<String> acked = new HashSet<>();
        acked.addAll(runAndKill("first-"));
        acked.addAll(runAndKill("second-"));
        assertTrue(acked.size() >= 2 * ACKS_BEFORE_KILL, "child acknowledged " + acked.size());

        try (ChronicleConfigStore store = ChronicleConfigStore.open(dir, ChronicleConfigStore.Options.defaults())) {
            StoreState s = store.state();
            for (String id : acked) {
                assertTrue(s.get(EntityKind.CLUSTER, id).isPresent(), "acknowledged write lost: " + id);
            }
            // Each event writes one cluster, so the sequence number equals the number of clusters: no gaps.
            assertEquals(s.seq(), s.count(EntityKind.CLUSTER));
            assertEquals(s.seq(), s.configVersion());
            Cluster after = store.update("test", "cluster.create",
                    tx -> tx.put(EntityKind.CLUSTER, TestEntities.cluster("after-crash", "after-crash", 1)));
            assertEquals("after-crash", store.state().get(EntityKind.CLUSTER, "after-crash").orElseThrow().id());
            assertEquals(after, store.state().get(EntityKind.CLUSTER, "after-crash").orElseThrow());
        }
        try (ChronicleConfigStore store = ChronicleConfigStore.open(dir, ChronicleConfigStore.Options.defaults())) {
            assertTrue(store.state().get(EntityKind.CLUSTER, "after-crash").isPresent());
        }
    }

    private List<String> runAndKill(String idPrefix) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("--enable-native-access") || arg.startsWith("-Dchronicle")) {
                cmd.add(arg);
            }
        }
        cmd.add("-Dchronicle.analytics.disable=true");
        cmd.add("-Xmx256m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(CrashWriterMain.class.getName());
        cmd.add(dir.toString());
        cmd.add("4");
        cmd.add(idPrefix);
        Process child = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> acked = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    acked.add(line.substring(4));
                    if (acked.size() == ACKS_BEFORE_KILL) {
                        // SIGKILL through the handle keeps our end of the pipe open, so every ACK the child
                        // printed before it died is still read and checked.
                        child.toHandle().destroyForcibly();
                    }
                }
            }
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
        }
        assertTrue(acked.size() >= ACKS_BEFORE_KILL,
                "child stopped early (exit " + child.exitValue() + ") after " + acked.size() + " writes");
        return acked;
    }
}
