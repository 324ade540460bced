package io.marchproxy.control.xds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A real Envoy process for tests, started from a bootstrap file with a unique {@code --base-id} and its admin
 * listener on 127.0.0.1, and killed on close. The binary comes from {@code -Dmarchproxy.envoy} or
 * {@code MARCHPROXY_ENVOY}, else {@link #INSTALLED}; without one the test fails and says how to install it.
 */
final class EnvoyProcess implements AutoCloseable {
    /** Where {@code control-api/src/test/resources/install-envoy.sh} puts the binary. */
    static final Path INSTALLED = Path.of("/opt/marchproxy-envoy/bin/envoy");

    private final Process process;
    private final Path log;
    private final int adminPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private EnvoyProcess(Process process, Path log, int adminPort) {
        this.process = process;
        this.log = log;
        this.adminPort = adminPort;
    }

    static Path binary() {
        String configured = System.getProperty("marchproxy.envoy", System.getenv("MARCHPROXY_ENVOY"));
        Path p = configured == null || configured.isBlank() ? INSTALLED : Path.of(configured);
        if (!Files.isExecutable(p)) {
            throw new IllegalStateException("Envoy binary not found at " + p + ": run "
                    + "control-api/src/test/resources/install-envoy.sh (installs to " + INSTALLED
                    + ") or set MARCHPROXY_ENVOY to an envoy binary");
        }
        return p;
    }

    /** Starts Envoy on {@code bootstrapYaml} in {@code dir}; returns once its admin listener answers. */
    static EnvoyProcess start(Path dir, String bootstrapYaml, int adminPort) throws IOException {
        return start(dir, bootstrapYaml, adminPort, Duration.ofSeconds(1));
    }

    /**
     * As {@link #start(Path, String, int)}, with listeners removed or replaced draining for {@code drainTime}: the
     * tests default to 1 s, while Envoy's own default (600 s) keeps a removed listener, and its route subscription,
     * alive for minutes.
     */
    static EnvoyProcess start(Path dir, String bootstrapYaml, int adminPort, Duration drainTime) throws IOException {
        Path config = dir.resolve("envoy.yaml");
        Files.writeString(config, bootstrapYaml);
        Path log = dir.resolve("envoy.log");
        int baseId = ThreadLocalRandom.current().nextInt(10_000, 2_000_000);
        Process p = new ProcessBuilder(List.of(binary().toString(), "-c", config.toString(),
                "--base-id", Integer.toString(baseId), "--concurrency", "1", "--log-level", "warn",
                "--drain-time-s", Long.toString(drainTime.toSeconds()), "--parent-shutdown-time-s",
                Long.toString(drainTime.toSeconds() + 1)))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        EnvoyProcess e = new EnvoyProcess(p, log, adminPort);
        try {
            e.await("Envoy admin listener", Duration.ofSeconds(20), () -> e.admin("/ready") != null);
        } catch (RuntimeException ex) {
            e.close();
            throw ex;
        }
        return e;
    }

    /** GET on the admin listener; null when it does not answer. */
    String admin(String path) {
        if (!process.isAlive()) {
            throw new IllegalStateException("Envoy exited with " + process.exitValue() + ":\n" + logTail());
        }
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + adminPort + path)).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.body();
        } catch (IOException ex) {
            return null;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** Every counter and gauge, from {@code /stats}. */
    Map<String, Long> stats() {
        String text = admin("/stats");
        Map<String, Long> out = new HashMap<>();
        if (text == null) {
            return out;
        }
        for (String line : text.split("\n")) {
            int colon = line.lastIndexOf(": ");
            if (colon < 0) {
                continue;
            }
            try {
                out.put(line.substring(0, colon), Long.parseLong(line.substring(colon + 2).trim()));
            } catch (NumberFormatException ignored) {
                // histograms and text values
            }
        }
        return out;
    }

    long stat(String name) {
        return stats().getOrDefault(name, -1L);
    }

    /** Polls until {@code condition} holds; fails with Envoy's log tail after {@code timeout}. */
    void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "\nEnvoy log:\n"
                        + logTail());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
