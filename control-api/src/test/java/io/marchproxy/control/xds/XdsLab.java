package io.marchproxy.control.xds;

import io.marchproxy.control.ControlPlane;
import io.marchproxy.control.ControlPlaneSettings;
import io.marchproxy.control.rest.TestPlane;
import net.openhft.chronicle.bytes.SyncMode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real control plane with its xDS server on loopback ({@link TestPlane} with xDS on), in a temporary directory that
 * survives {@link #restart()} (same data, same xDS port) and is deleted on close; plus the REST calls the Envoy tests
 * make, as the admin.
 */
final class XdsLab implements AutoCloseable {
    static final String ADMIN_PASSWORD = "admin-password-for-xds-tests";

    final Path dir;
    private TestPlane rest;
    private int xdsPort;
    private String token;
    private final java.util.Map<String, String> apiKeys = new java.util.concurrent.ConcurrentHashMap<>();

    private final java.util.function.UnaryOperator<XdsSettings> tune;

    XdsLab() throws IOException {
        this(x -> x);
    }

    /** @param tune changes the xDS settings (TLS, stall bound) from the loopback defaults */
    XdsLab(java.util.function.UnaryOperator<XdsSettings> tune) throws IOException {
        this.dir = Files.createTempDirectory("marchproxy-xds");
        this.tune = tune;
        start();
    }

    private void start() throws IOException {
        ControlPlaneSettings settings = new ControlPlaneSettings("127.0.0.1", 0, dir.resolve("data"), 1000,
                SyncMode.NONE, "", "", Duration.ofMinutes(30), 1000, "admin", ADMIN_PASSWORD, "", "",
                Duration.ofSeconds(60));
        rest = new TestPlane(settings, tune.apply(new XdsSettings(true, "127.0.0.1", xdsPort, "127.0.0.1")), false);
        xdsPort = rest.plane.xds().port();
        token = rest.login("admin", ADMIN_PASSWORD);
    }

    ControlPlane plane() {
        return rest.plane;
    }

    XdsServer xds() {
        return rest.plane.xds();
    }

    /** Stops the control plane (REST and xDS); the data directory stays. */
    void stop() throws IOException {
        if (rest != null) {
            rest.close();
            rest = null;
        }
    }

    /** Starts it again on the same data and xDS port. */
    void restart() throws IOException {
        stop();
        start();
    }

    /**
     * Waits until the snapshot served to {@code clusterId} satisfies {@code condition}: snapshots follow config
     * changes asynchronously, so a test asks the xDS server only once its change is in one.
     */
    XdsSnapshot awaitSnapshot(String clusterId, java.util.function.Predicate<XdsSnapshot> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            var s = xds().snapshot(clusterId);
            if (s.isPresent() && condition.test(s.get())) {
                return s.get();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the snapshot of cluster " + clusterId + " never got there: "
                + xds().snapshot(clusterId));
    }

    /** Logs a user in; returns the access token. */
    String login(String username, String password) {
        return rest.login(username, password);
    }

    /** A REST call with {@code token} (any user's). */
    TestPlane.Res sendAs(String token, String method, String path, String body) {
        return rest.send(method, path, token, body);
    }

    /** A REST call as the admin. */
    TestPlane.Res send(String method, String path, String body) {
        return rest.send(method, path, token, body);
    }

    /** POSTs and returns the created entity's id, failing on anything but 201. */
    String create(String path, String body) {
        TestPlane.Res r = send("POST", path, body);
        if (r.status() != 201) {
            throw new AssertionError("POST " + path + " -> " + r.status() + " " + r.text());
        }
        return r.json().get("id").asText();
    }

    /**
     * A cluster whose services admit every client unless a mapping says otherwise ({@code defaultPolicy: allow}); its
     * API key is kept for {@link #apiKey}.
     */
    String cluster(String name) {
        return cluster(name, "allow");
    }

    String cluster(String name, String defaultPolicy) {
        TestPlane.Res r = send("POST", "/api/v1/clusters", "{\"name\":\"" + name + "\",\"defaultPolicy\":\""
                + defaultPolicy + "\"}");
        if (r.status() != 201) {
            throw new AssertionError("POST cluster -> " + r.status() + " " + r.text());
        }
        String id = r.json().get("id").asText();
        apiKeys.put(id, r.json().get("apiKey").asText());
        return id;
    }

    /** The API key of a cluster this lab created (or last rotated with {@link #rotateKey}). */
    String apiKey(String clusterId) {
        return apiKeys.get(clusterId);
    }

    /** Rotates a cluster's API key; returns the new one. */
    String rotateKey(String clusterId) {
        TestPlane.Res r = send("POST", "/api/v1/clusters/" + clusterId + "/rotate-key", null);
        if (r.status() != 200) {
            throw new AssertionError("rotate-key -> " + r.status() + " " + r.text());
        }
        apiKeys.put(clusterId, r.json().get("apiKey").asText());
        return apiKeys.get(clusterId);
    }

    /** Starts an Envoy from this control plane's bootstrap endpoint for {@code cluster}. */
    EnvoyProcess envoy(String cluster, String nodeId) throws IOException {
        return envoy(cluster, nodeId, Duration.ofSeconds(1));
    }

    /** As {@link #envoy(String, String)}, with removed listeners draining for {@code drainTime}. */
    EnvoyProcess envoy(String cluster, String nodeId, Duration drainTime) throws IOException {
        int admin = Backends.freePort();
        TestPlane.Res boot = send("GET", "/api/v1/envoy/bootstrap?cluster=" + cluster + "&node=" + nodeId
                + "&adminPort=" + admin, null);
        if (boot.status() != 200) {
            throw new AssertionError("bootstrap -> " + boot.status() + " " + boot.text());
        }
        Path envoyDir = Files.createDirectories(dir.resolve("envoy-" + nodeId));
        return EnvoyProcess.start(envoyDir, boot.text(), admin, drainTime);
    }

    @Override
    public void close() throws IOException {
        stop();
        TestPlane.deleteTree(dir);
    }
}
