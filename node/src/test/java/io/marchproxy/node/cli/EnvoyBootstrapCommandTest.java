package io.marchproxy.node.cli;

import io.marchproxy.control.rest.TestPlane;
import io.marchproxy.control.xds.XdsSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code marchproxy envoy-bootstrap}, made offline from a cluster's API key, boots a real Envoy that authenticates to
 * a real control plane's xDS server and is listed there, healthy, under the cluster; a key that is not one is refused.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EnvoyBootstrapCommandTest
{
    private static final Path ENVOY = Path.of(System.getenv().getOrDefault("MARCHPROXY_ENVOY",
        "/opt/marchproxy-envoy/bin/envoy"));

    @TempDir
    Path dir;

    @Test
    void anEnvoyBootedFromTheOfflineBootstrapIsServedByTheClustersXds() throws Exception
    {
        assertTrue(Files.isExecutable(ENVOY), "Envoy at " + ENVOY + ": control-api/src/test/resources/"
            + "install-envoy.sh installs it (bin/test runs it)");
        try (TestPlane plane = new TestPlane(TestPlane.settings(dir.resolve("data"), "", TestPlane.ADMIN_PASSWORD),
            new XdsSettings(true, "127.0.0.1", 0, "127.0.0.1"), true))
        {
            final String[] cluster = plane.cluster(plane.adminToken(), "edge");
            final Path keyFile = dir.resolve("edge.key");
            Files.writeString(keyFile, cluster[1] + "\n");
            final int adminPort = freePort();
            final Path yaml = dir.resolve("envoy.yaml");
            final StringWriter err = new StringWriter();
            final CommandLine line = MarchproxyCommand.commandLine();
            line.setErr(new PrintWriter(err, true));
            assertEquals(0, line.execute("envoy-bootstrap", "--cluster-key-file", keyFile.toString(), "--cluster",
                "edge", "--node", "edge-envoy-1", "--admin-port", Integer.toString(adminPort), "--xds-port",
                Integer.toString(plane.plane.xds().port()), "-o", yaml.toString()), err.toString());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(yaml)),
                "the bootstrap holds the key: its owner's only");
            assertTrue(Files.readString(yaml).contains(cluster[0]), "the cluster id from the key is in the metadata");

            final Process envoy = new ProcessBuilder(List.of(ENVOY.toString(), "-c", yaml.toString(), "--base-id",
                Integer.toString(ThreadLocalRandom.current().nextInt(10_000, 2_000_000)), "--concurrency", "1",
                "--log-level", "warn")).redirectErrorStream(true).redirectOutput(dir.resolve("envoy.log").toFile())
                .start();
            try
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                boolean served = false;
                while (!served && System.nanoTime() < deadline && envoy.isAlive())
                {
                    served = plane.plane.xds().nodes().stream()
                        .anyMatch(n -> n.nodeId().equals("edge-envoy-1") && n.healthy());
                    Thread.sleep(50);
                }
                assertTrue(served, "Envoy edge-envoy-1 connected and healthy; its log:\n"
                    + Files.readString(dir.resolve("envoy.log")) + "\nnodes: " + plane.plane.xds().nodes());
            }
            finally
            {
                envoy.destroyForcibly();
                envoy.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void somethingThatIsNotAClusterKeyIsRefused() throws Exception
    {
        final Path keyFile = dir.resolve("bad.key");
        Files.writeString(keyFile, "hunter2");
        final StringWriter err = new StringWriter();
        final CommandLine line = MarchproxyCommand.commandLine();
        line.setErr(new PrintWriter(err, true));
        assertEquals(2, line.execute("envoy-bootstrap", "--cluster-key-file", keyFile.toString()));
        assertTrue(err.toString().contains("that is not a cluster API key"), err.toString());
        assertTrue(!err.toString().contains("hunter2"), "the refused key is not echoed");
    }

    private static int freePort() throws Exception
    {
        try (ServerSocket s = new ServerSocket(0))
        {
            return s.getLocalPort();
        }
    }
}
