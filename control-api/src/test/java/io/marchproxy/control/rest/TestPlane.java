package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marchproxy.control.ControlPlane;
import io.marchproxy.control.ControlPlaneSettings;
import io.marchproxy.control.xds.XdsSettings;
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
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real control plane on a random loopback port in a temporary directory, plus a small HTTP client for tests. The
 * xDS tests use it too, with the xDS server on.
 */
public final class TestPlane implements AutoCloseable {
    public static final String ADMIN_PASSWORD = "admin-password-for-tests";
    static final ObjectMapper JSON = new ObjectMapper();

    public final Path dir;
    public final ControlPlane plane;
    public final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final boolean deleteOnClose;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The last exchange {@link #send} completed, method, path and status, for the message of a failed one. */
    private volatile String previous = "none";

    /** A response: status, headers and the body parsed as JSON when it is JSON. */
    public record Res(int status, Map<String, java.util.List<String>> headers, String text) {
        public JsonNode json() {
            try {
                return JSON.readTree(text);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + text, e);
            }
        }

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    public TestPlane() throws IOException {
        this(Files.createTempDirectory("marchproxy-test"), "", "");
    }

    public TestPlane(Path dir, String licencePublicKey, String adminPassword) throws IOException {
        this(settings(dir, licencePublicKey, adminPassword.isEmpty() ? ADMIN_PASSWORD : adminPassword), true);
    }

    /** A plane with these settings; its data directory is deleted on close only if {@code deleteOnClose}. */
    public TestPlane(ControlPlaneSettings settings, boolean deleteOnClose) throws IOException {
        this(settings, XdsSettings.DISABLED, deleteOnClose);
    }

    /** A plane with these settings and, unless {@code xds} is disabled, its xDS server. */
    public TestPlane(ControlPlaneSettings settings, XdsSettings xds, boolean deleteOnClose) throws IOException {
        this.dir = settings.dataDir();
        this.deleteOnClose = deleteOnClose;
        this.plane = ControlPlane.start(settings, xds, new PrintStream(console, true, StandardCharsets.UTF_8));
    }

    /** Loopback, random port, cheap PBKDF2 so tests stay fast; an empty admin password is generated. */
    public static ControlPlaneSettings settings(Path dir, String licencePublicKey, String adminPassword) {
        return new ControlPlaneSettings("127.0.0.1", 0, dir, 1000, SyncMode.NONE, "", "", Duration.ofMinutes(5),
                1000, "admin", adminPassword, licencePublicKey, "", Duration.ofSeconds(60));
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + plane.port() + path);
    }

    public String login(String user, String password) {
        Res r = send("POST", "/api/v1/auth/login", null,
                "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}");
        if (r.status() != 200) {
            throw new IllegalStateException("login failed: " + r);
        }
        return r.json().get("token").asText();
    }

    public String adminToken() {
        return login("admin", ADMIN_PASSWORD);
    }

    public Res send(String method, String path, String token, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            previous = method + " " + path + " -> " + r.statusCode();
            return new Res(r.statusCode(), r.headers().map(), r.body());
        } catch (IOException e) {
            // The previous exchange is named too: on a reused connection, what broke it may be what came before.
            throw new UncheckedIOException(method + " " + path + " (previous: " + previous + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends only the request line and headers of a JSON request announcing a body of {@code contentLength} bytes, and
     * returns the raw response. For bodies over the limit: the server answers 413 from the headers and closes without
     * reading the body, so a client still sending one may see a reset instead of the answer.
     */
    public String headersOnly(String method, String path, String token, long contentLength) throws IOException {
        URI uri = uri(path);
        try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + "\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                    + "Content-Type: application/json\r\nContent-Length: " + contentLength + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    public Res get(String path, String token, String... headers) {
        return send("GET", path, token, null, headers);
    }

    public Res post(String path, String token, String body, String... headers) {
        return send("POST", path, token, body, headers);
    }

    public Res put(String path, String token, String body, String... headers) {
        return send("PUT", path, token, body, headers);
    }

    public Res delete(String path, String token, String... headers) {
        return send("DELETE", path, token, null, headers);
    }

    /** Creates a cluster and returns {id, apiKey}. */
    public String[] cluster(String token, String name) {
        Res r = post("/api/v1/clusters", token, "{\"name\":\"" + name + "\"}");
        if (r.status() != 201) {
            throw new IllegalStateException("cluster create failed: " + r);
        }
        return new String[]{r.json().get("id").asText(), r.json().get("apiKey").asText()};
    }

    public String service(String token, String clusterId, String name, String collection) {
        Res r = post("/api/v1/services", token, "{\"name\":\"" + name + "\",\"clusterId\":\"" + clusterId
                + "\",\"address\":\"10.0.0.1\",\"port\":8080,\"protocol\":\"http\",\"collection\":\"" + collection
                + "\",\"backends\":[{\"address\":\"10.0.1.1\",\"port\":80}]}");
        if (r.status() != 201) {
            throw new IllegalStateException("service create failed: " + r);
        }
        return r.json().get("id").asText();
    }

    @Override
    public void close() throws IOException {
        plane.close();
        if (deleteOnClose) {
            deleteTree(dir);
        }
    }

    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
