package io.marchproxy.dist;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The distribution as an operator gets it: the tarball {@code mvn package} wrote, unpacked into a directory of its
 * own, its {@code bin/marchproxy} run as a process. Help and version answer at once, before any set-up and as an
 * unprivileged user (nobody): nothing is created in the working directory. A server command without the privileges
 * it needs says which are missing and starts nothing. The control plane serves and stops on SIGTERM, logging through
 * the one SLF4J provider (no "no providers" warning), as text or JSON. As root, the lab demo runs for a few seconds:
 * lab requests answered through the proxy, namespaces removed.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DistributionIT
{
    private static final List<String> AS_NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534",
        "--clear-groups", "--inh-caps=-all");

    private static Path home;
    /** The directories the tests made under /tmp (the unpacked tarball, the runs' working directories). */
    private static final List<Path> made = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void unpack() throws Exception
    {
        final Path tarball = Path.of(System.getProperty("marchproxy.tarball"));
        assertTrue(Files.isRegularFile(tarball), "mvn package wrote " + tarball);
        final Path dir = Files.createTempDirectory(Path.of("/tmp"), "marchproxy-dist-");
        made.add(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        final Process tar = new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", dir.toString())
            .redirectErrorStream(true).start();
        assertEquals(0, tar.waitFor(), new String(tar.getInputStream().readAllBytes()));
        home = dir.resolve("marchproxy");
    }

    @Test
    void theTarballHoldsTheLauncherTheArgumentFileAndTheJars() throws IOException
    {
        assertTrue(Files.isExecutable(home.resolve("bin/marchproxy")));
        assertTrue(Files.isRegularFile(home.resolve("conf/jvm.args")));
        assertTrue(Files.readString(home.resolve("LICENSE")).contains("Apache License"));
        final List<String> jars;
        try (Stream<Path> lib = Files.list(home.resolve("lib")))
        {
            jars = lib.map(p -> p.getFileName().toString()).sorted().toList();
        }
        final String version = System.getProperty("marchproxy.version");
        for (final String module : List.of("ffm-bindings", "dataplane-core", "dataplane-lab", "control-api", "node"))
        {
            assertTrue(jars.contains(module + "-" + version + ".jar"), module + " in lib/: " + jars);
        }
        assertTrue(jars.stream().anyMatch(j -> j.startsWith("picocli-")), jars.toString());
        final List<String> providers = jars.stream().filter(j -> j.startsWith("slf4j-") && !j.startsWith("slf4j-api-")
            || j.startsWith("logback-") || j.startsWith("log4j-slf4j")).toList();
        assertEquals(1, providers.size(), "one SLF4J provider: " + providers);
        assertTrue(providers.getFirst().startsWith("slf4j-jdk14-"), providers.toString());
        assertFalse(jars.stream().anyMatch(j -> j.contains("junit") || j.contains("-tests")), "no test jars: " + jars);
    }

    @Test
    void helpAndVersionAnswerAtOnceWithoutRootAndSetUpNothing() throws Exception
    {
        final Path cwd = emptyDirectory();
        final String version = System.getProperty("marchproxy.version");
        final Result v = run(cwd, AS_NOBODY, Map.of(), "--version");
        assertEquals(0, v.exit(), v.output());
        assertTrue(v.output().startsWith("marchproxy " + version + "\n"), v.output());

        for (final String[] args : List.of(new String[] {"--help"}, new String[] {"node", "--help"},
            new String[] {"control-plane", "--help"}, new String[] {"lab", "--help"}, new String[] {"licence", "--help"},
            new String[] {"envoy-bootstrap", "--help"}, new String[] {"agent", "--help"}, new String[] {"stats", "--help"},
            new String[] {"journal", "tail", "--help"}, new String[] {"help", "node"}))
        {
            final Result r = run(cwd, AS_NOBODY, Map.of(), args);
            assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.output());
            assertTrue(r.output().startsWith("Usage: marchproxy" + (args[0].startsWith("-") ? "" : " " +
                (args[0].equals("help") ? args[1] : args[0]))), r.output());
        }
        final Result usage = run(cwd, AS_NOBODY, Map.of());
        assertEquals(2, usage.exit(), "no command is a usage error: " + usage.output());
        try (Stream<Path> created = Files.list(cwd))
        {
            assertEquals(List.of(), created.toList(), "help and version created nothing (no ./data)");
        }

        // What "at once" means: under a second from exec to exit, the best of three runs (the machine is shared).
        for (final String[] args : List.of(new String[] {"--help"}, new String[] {"--version"},
            new String[] {"node", "--help"}))
        {
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 3; i++)
            {
                final long start = System.nanoTime();
                assertEquals(0, run(cwd, AS_NOBODY, Map.of(), args).exit());
                best = Math.min(best, System.nanoTime() - start);
            }
            assertTrue(best < TimeUnit.SECONDS.toNanos(1), String.join(" ", args) + " took " +
                TimeUnit.NANOSECONDS.toMillis(best) + " ms at best");
        }
    }

    @Test
    void aServerCommandWithoutPrivilegesNamesWhatIsMissingAndStartsNothing() throws Exception
    {
        final Path cwd = emptyDirectory();
        for (final String command : List.of("node", "lab"))
        {
            final Result r = run(cwd, AS_NOBODY, Map.of(), command, "--seconds", "1");
            assertEquals(1, r.exit(), r.output());
            assertTrue(r.output().contains("marchproxy " + command + " needs root") &&
                r.output().contains("missing: CAP_NET_ADMIN, CAP_NET_RAW, CAP_BPF"), r.output());
            try (Stream<Path> created = Files.list(cwd))
            {
                assertEquals(List.of(), created.toList(), "nothing created: " + command);
            }
        }
    }

    @Test
    void theControlPlaneServesAndStopsLoggingThroughOneProvider() throws Exception
    {
        for (final String format : List.of("text", "json"))
        {
            final Path data = emptyDirectory();
            final ProcessBuilder pb = new ProcessBuilder(command(AS_NOBODY, "control-plane", "--log-format", format))
                .directory(data.toFile()).redirectErrorStream(true);
            pb.environment().putAll(Map.of("SERVER_PORT", "0", "MARCHPROXY_XDS_PORT", "0",
                "MARCHPROXY_STORE_DIR", data.resolve("store").toString(), "MARCHPROXY_ADMIN_PASSWORD",
                "dist-test-password", "MARCHPROXY_SECURITY_PBKDF2ITERATIONS", "1000"));
            final Process p = pb.start();
            // Its output, read to the end on a thread of its own; the test waits for the "listening" line.
            final List<String> lines = new CopyOnWriteArrayList<>();
            final Thread reader = Thread.ofPlatform().daemon().start(() ->
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).lines()
                    .forEach(lines::add));
            try
            {
                final Pattern listening = Pattern.compile("control plane listening on 127\\.0\\.0\\.1:(\\d+)");
                int port = -1;
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (port < 0 && p.isAlive() && System.nanoTime() < deadline)
                {
                    for (final String line : lines)
                    {
                        final Matcher m = listening.matcher(line);
                        if (m.find())
                        {
                            port = Integer.parseInt(m.group(1));
                        }
                    }
                    Thread.sleep(50);
                }
                assertTrue(port > 0, "never listened:\n" + String.join("\n", lines));
                final HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/observe/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
                assertEquals(200, health.statusCode(), health.body());
                // SIGTERM through its handle: Process.destroy() would also close the pipe the reader is reading.
                p.toHandle().destroy();
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stops on SIGTERM");
                reader.join(TimeUnit.SECONDS.toMillis(10));
                assertEquals(143, p.exitValue(), "the JVM's status after SIGTERM (128 + 15)");
                try (Stream<Path> snapshots = Files.list(data.resolve("store/snapshots")))
                {
                    assertTrue(snapshots.anyMatch(f -> f.toString().endsWith(".json")),
                        "a clean stop writes a final snapshot");
                }
            }
            finally
            {
                p.destroyForcibly();
            }
            final String all = String.join("\n", lines);
            assertFalse(all.contains("SLF4J"), "no SLF4J provider warnings:\n" + all);
            final List<String> logs = lines.stream().filter(l -> l.contains("listening on")).toList();
            assertFalse(logs.isEmpty(), all);
            for (final String log : logs)
            {
                assertEquals(format.equals("json"), log.startsWith("{\"time\":\"") && log.endsWith("}"), log);
            }
        }
    }

    @Test
    void theLabRunsAndCleansUpAsRoot() throws Exception
    {
        final Path cwd = emptyDirectory();
        // Long enough for the backends' first health checks (every 5 s) to pass and lab traffic to flow.
        final ProcessBuilder pb = new ProcessBuilder(command(List.of(), "lab", "--seconds", "15", "--rate", "50"))
            .directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().putAll(Map.of("SERVER_PORT", "0", "MARCHPROXY_XDS_PORT", "0"));
        final Process p = pb.start();
        final String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the lab stopped after --seconds");
        final Result r = new Result(p.exitValue(), output);
        assertEquals(0, r.exit(), r.output());
        // The table's last "lab answers {tcp backend1=N, udp backend2=M, ...}": backends answered through the proxy.
        final Matcher answers = Pattern.compile("lab answers \\{([^}]*)}").matcher(r.output());
        String last = "";
        while (answers.find())
        {
            last = answers.group(1);
        }
        assertTrue(last.matches(".*(tcp|udp) backend\\d=[1-9].*"), "lab requests answered through the proxy:\n"
            + r.output());
        assertTrue(r.output().contains("node: stopped; XDP detached, store closed"), r.output());
        assertFalse(r.output().contains("SLF4J"), r.output());
        // L4Lab names its namespaces mpl4-<pid>-...; the launcher execs java, so the pid is the process's.
        final String ours = "mpl4-" + p.pid() + "-";
        assertEquals(List.of(), namespaces().stream().filter(n -> n.startsWith(ours)).toList(),
            "the lab's namespaces are gone");
        assertTrue(r.output().contains("lab: building namespaces"), "the long step says what it does");
        final Matcher store = Pattern.compile("temporary directory, deleted on exit: (\\S+)").matcher(r.output());
        assertTrue(store.find(), r.output());
        assertFalse(Files.exists(Path.of(store.group(1))), "the lab's store is deleted");
        try (Stream<Path> created = Files.list(cwd))
        {
            assertEquals(List.of(), created.toList(), "no ./data: the lab's store is temporary");
        }
    }

    private record Result(int exit, String output)
    {
    }

    private static List<String> command(final List<String> prefix, final String... args)
    {
        final List<String> cmd = new ArrayList<>(prefix);
        cmd.add(home.resolve("bin/marchproxy").toString());
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    private static Result run(final Path cwd, final List<String> prefix, final Map<String, String> env,
        final String... args) throws IOException, InterruptedException
    {
        final ProcessBuilder pb = new ProcessBuilder(command(prefix, args)).directory(cwd.toFile())
            .redirectErrorStream(true);
        pb.environment().putAll(env);
        final Process p = pb.start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished: " + String.join(" ", args));
        return new Result(p.exitValue(), out);
    }

    /** A new empty directory anyone may write into (the unprivileged runs start there). */
    private static Path emptyDirectory() throws IOException
    {
        final Path dir = Files.createTempDirectory(Path.of("/tmp"), "marchproxy-cwd-");
        made.add(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        return dir;
    }

    /** Removes what the tests made, the files the runs wrote in it included (passed or failed). */
    @AfterAll
    static void removeWhatTheTestsMade() throws IOException
    {
        for (final Path dir : made)
        {
            try (Stream<Path> walk = Files.walk(dir))
            {
                for (final Path p : walk.sorted(Comparator.reverseOrder()).toList())
                {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static List<String> namespaces() throws IOException
    {
        final Path dir = Path.of("/var/run/netns");
        if (!Files.isDirectory(dir))
        {
            return List.of();
        }
        try (Stream<Path> names = Files.list(dir))
        {
            return names.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
