package io.marchproxy.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each example runs as an embedder runs it: its own JVM, the library jar's class path, the JVM options of
 * {@code conf/jvm.args}, as root. It builds its lab, does its work (answers through the proxy, datagrams forwarded
 * over AF_XDP), exits 0, and leaves no namespace behind.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ExamplesTest
{
    @Test
    void theL4ProxyAnswersEveryRequest() throws Exception
    {
        final String out = runExample(L4ProxyExample.class, "20");
        assertTrue(out.contains("L4 proxy: 20 of 20 requests answered through 10.215.0.1:53, 1 flow(s)"), out);
    }

    @Test
    void theForwarderDeliversEveryDatagram() throws Exception
    {
        final String out = runExample(XskForwardExample.class, "2000");
        assertTrue(out.contains("AF_XDP forward: 2000 of 2000 datagrams arrived; forwarded 2000, dropped 0"), out);
    }

    /**
     * The library on the module path, as named modules ({@code io.marchproxy.ffm}, {@code io.marchproxy.dataplane},
     * agrona and HdrHistogram automatic): native access enabled for those two modules only, so the example works only if both are
     * named modules with the right descriptors, and the XDP objects load from inside the module.
     */
    @Test
    void theLibraryRunsOnTheModulePath() throws Exception
    {
        final List<String> modules = new java.util.ArrayList<>();
        final List<String> classes = new java.util.ArrayList<>();
        for (final String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        {
            final String name = Path.of(entry).toString();
            if (name.contains("ffm-bindings") || name.contains("dataplane-core") || name.contains("agrona")
                || name.contains("HdrHistogram"))
            {
                modules.add(entry);
            }
            else if (name.contains("examples"))
            {
                classes.add(entry);
            }
        }
        assertEquals(4, modules.size(), "ffm-bindings, dataplane-core, agrona and HdrHistogram on the test class path: "
            + modules);
        final String out = run(XskForwardExample.class, List.of("--module-path", String.join(":", modules),
            "--add-modules", "io.marchproxy.dataplane",
            "--enable-native-access=io.marchproxy.ffm,io.marchproxy.dataplane",
            "--add-exports=java.base/jdk.internal.misc=org.agrona", "--sun-misc-unsafe-memory-access=allow",
            "-cp", String.join(":", classes)), "500");
        assertTrue(out.contains("AF_XDP forward: 500 of 500 datagrams arrived"), out);
    }

    private static String runExample(final Class<?> example, final String... args)
        throws IOException, InterruptedException
    {
        final Path argFile = Path.of("..", "dist", "src", "main", "dist", "conf", "jvm.args").toAbsolutePath();
        return run(example, List.of("@" + argFile, "-cp", System.getProperty("java.class.path")), args);
    }

    private static String run(final Class<?> example, final List<String> jvm, final String... args)
        throws IOException, InterruptedException
    {
        final List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm);
        cmd.add(example.getName());
        cmd.addAll(List.of(args));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(150, TimeUnit.SECONDS), example.getSimpleName() + " finished");
        assertEquals(0, p.exitValue(), out);
        final String ours = "mpex-" + p.pid() + "-";
        try (Stream<Path> names = Files.list(Path.of("/var/run/netns")))
        {
            assertEquals(List.of(), names.map(n -> n.getFileName().toString()).filter(n -> n.startsWith(ours))
                .toList(), "the example's namespaces are gone");
        }
        return out;
    }
}
