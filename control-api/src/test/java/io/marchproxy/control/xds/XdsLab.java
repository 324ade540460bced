package io.marchproxy.control.xds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marchproxy.control.ControlPlane;
import io.marchproxy.control.ControlPlaneSettings;
import net.openhft.chronicle.bytes.SyncMode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A real control plane with its xDS server on loopback, in a temporary directory that survives {@link #restart()}
 * (same data, same xDS port) and is deleted on close; plus the REST calls the Envoy tests make.
 */
final class XdsLab implements AutoCloseable {
    static final String ADMIN_PASSWORD = "admin-password-for-xds-tests";
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path dir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ControlPlane plane;
    private int xdsPort;
    private String token;

    /** A REST response. */
    record Res(int status, String text) {
        JsonNode json() {
            try {
                return JSON.readTree(text);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + text, e);
            }
        }
    }

    XdsLab() throws IOException {
        this.dir = Files.createTempDirectory("marchproxy-xds");
        start();
    }

    private void start() throws IOException {
        ControlPlaneSettings settings = new ControlPlaneSettings("127.0.0.1", 0, dir.resolve("data"), 1000,
                SyncMode.NONE, "", "", Duration.ofMinutes(30), 1000, "admin", ADMIN_PASSWORD, "", "",
                Duration.ofSeconds(60));
        plane = ControlPlane.start(settings, new XdsSettings(true, "127.0.0.1", xdsPort, "127.0.0.1"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        xdsPort = plane.xds().port();
        token = null;
        token = login();
    }

    ControlPlane plane() {
        return plane;
    }

    XdsServer xds() {
        return plane.xds();
    }

    /** Stops the control plane (REST and xDS); the data directory stays. */
    void stop() {
        if (plane != null) {
            plane.close();
            plane = null;
        }
    }

    /** Starts it again on the same data and xDS port. */
    void restart() throws IOException {
        stop();
        start();
    }

    private String login() {
        Res r = send("POST", "/api/v1/auth/login", "{\"username\":\"admin\",\"password\":\"" + ADMIN_PASSWORD + "\"}");
        if (r.status() != 200) {
            throw new IllegalStateException("login failed: " + r);
        }
        return r.json().get("token").asText();
    }

    Res send(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plane.port() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Res(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** POSTs and returns the created entity's id, failing on anything but 201. */
    String create(String path, String body) {
        Res r = send("POST", path, body);
        if (r.status() != 201) {
            throw new AssertionError("POST " + path + " -> " + r.status() + " " + r.text());
        }
        return r.json().get("id").asText();
    }

    String cluster(String name) {
        return create("/api/v1/clusters", "{\"name\":\"" + name + "\"}");
    }

    /** Starts an Envoy from this control plane's bootstrap endpoint for {@code cluster}. */
    EnvoyProcess envoy(String cluster, String nodeId) throws IOException {
        int admin = Backends.freePort();
        Res boot = send("GET", "/api/v1/envoy/bootstrap?cluster=" + cluster + "&node=" + nodeId + "&adminPort="
                + admin, null);
        if (boot.status() != 200) {
            throw new AssertionError("bootstrap -> " + boot.status() + " " + boot.text());
        }
        Path envoyDir = Files.createDirectories(dir.resolve("envoy-" + nodeId));
        return EnvoyProcess.start(envoyDir, boot.text(), admin);
    }

    @Override
    public void close() throws IOException {
        stop();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
