package io.marchproxy.control;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@link ControlPlaneMain} as an operator would, in its own JVM, configured only through environment variables
 * over the packaged application.yaml; checks it serves, and that SIGTERM closes the store cleanly (final snapshot).
 */
class ControlPlaneMainTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void startsFromConfigWithEnvironmentOverridesAndStopsCleanly() throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("--enable-native-access") || arg.startsWith("-Dchronicle")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-Dchronicle.analytics.disable=true", "-Xmx256m", "-cp",
                System.getProperty("java.class.path"), ControlPlaneMain.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("SERVER_PORT", "0");
        env.put("SERVER_HOST", "127.0.0.1");
        env.put("MARCHPROXY_STORE_DIR", dir.toString());
        env.put("MARCHPROXY_ADMIN_PASSWORD", "main-test-password");
        env.put("MARCHPROXY_SECURITY_PBKDF2ITERATIONS", "1000");
        env.put("MARCHPROXY_XDS_ENABLED", "false");
        Process p = pb.start();
        try {
            int port = -1;
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            Pattern listening = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
            StringBuilder log = new StringBuilder();
            String line;
            while (port < 0 && (line = out.readLine()) != null) {
                log.append(line).append('\n');
                Matcher m = listening.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            assertTrue(port > 0, "never listened:\n" + log);
            Thread drain = new Thread(() -> {
                try {
                    out.lines().forEach(l -> { });
                } catch (java.io.UncheckedIOException closed) {
                    // the process is gone and its pipe closed: nothing more to read
                }
            });
            drain.setDaemon(true);
            drain.start();

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/observe/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            HttpResponse<String> login = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/v1/auth/login"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"username\":\"admin\",\"password\":\"main-test-password\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, login.statusCode(), "admin password came from MARCHPROXY_ADMIN_PASSWORD");
            assertTrue(Files.isDirectory(dir.resolve("journal")), "store lives in MARCHPROXY_STORE_DIR");

            p.destroy();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "did not stop on SIGTERM");
            try (Stream<Path> snaps = Files.list(dir.resolve("snapshots"))) {
                assertTrue(snaps.anyMatch(f -> f.getFileName().toString().endsWith(".json")),
                        "a clean stop writes a final snapshot");
            }
        } finally {
            p.destroyForcibly();
        }
    }

    /** Arguments print the usage and start nothing: no server, no {@code ./data} in the working directory. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void argumentsPrintTheUsageAndStartNothing() throws Exception {
        for (String arg : List.of("--help", "--port")) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), ControlPlaneMain.class.getName(), arg)
                    .directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(arg.equals("--help") ? 0 : 2, p.exitValue(), out);
            assertTrue(out.contains("marchproxy control-plane --help"), out);
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(), files.toList(), "nothing created in the working directory");
            }
        }
    }
}
