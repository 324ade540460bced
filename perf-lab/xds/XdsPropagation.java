import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The xds-propagation driver ({@code java XdsPropagation.java URL PASSWORD ENVOY N MODE DIR}; the source launcher
 * compiles {@code Rest.java} from the same directory with it).
 * Against a running control plane: creates a cluster, boots Envoy from {@code /api/v1/envoy/bootstrap}, then makes N
 * changes and, for each, measures the time from the REST response to the first request Envoy serves with it,
 * polling on fresh loopback connections. Modes: {@code create} (each change a new http service: listener, route,
 * cluster, endpoints) or {@code update} (each change moves one service to a new backend: endpoints only).
 */
public final class XdsPropagation {
    public static void main(String[] args) throws Exception {
        String base = args[0];
        String password = args[1];
        Path envoyBinary = Path.of(args[2]);
        int changes = Integer.parseInt(args[3]);
        String mode = args[4];
        Path dir = Files.createDirectories(Path.of(args[5]).resolve("envoy"));

        Rest rest = Rest.login(base, password);
        String cluster = Rest.field(rest.call("POST", "/api/v1/clusters",
                "{\"name\":\"xds-bench\",\"defaultPolicy\":\"allow\"}", 201), "id");
        int admin = freePort();
        String bootstrap = rest.call("GET", "/api/v1/envoy/bootstrap?cluster=xds-bench&node=xds-bench-envoy&adminPort="
                + admin, null, 200);
        Files.writeString(dir.resolve("envoy.yaml"), bootstrap);
        Process envoy = new ProcessBuilder(envoyBinary.toString(), "-c", dir.resolve("envoy.yaml").toString(),
                "--base-id", Integer.toString(ThreadLocalRandom.current().nextInt(10_000, 2_000_000)),
                "--concurrency", "1", "--log-level", "warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("envoy.log").toFile()).start();
        awaitLive(admin);
        List<HttpServer> servers = new ArrayList<>();
        long[] nanos = new long[changes];
        try {
            int servicePort = freePort();
            String serviceId = null;
            if (mode.equals("update")) {
                HttpServer first = backend("initial");
                servers.add(first);
                serviceId = Rest.field(rest.call("POST", "/api/v1/services", Rest.service("svc", cluster, servicePort,
                        first.getAddress().getPort()), 201), "id");
            }
            for (int i = 0; i < changes; i++) {
                String name = "v" + i;
                HttpServer backend = backend(name);
                servers.add(backend);
                int port = serviceId == null ? freePort() : servicePort;
                if (serviceId == null) {
                    rest.call("POST", "/api/v1/services", Rest.service("svc-" + i, cluster, port,
                            backend.getAddress().getPort()), 201);
                } else {
                    rest.call("PUT", "/api/v1/services/" + serviceId, Rest.service("svc", cluster, port,
                            backend.getAddress().getPort()), 200);
                }
                long t0 = System.nanoTime();
                long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
                while (!served(port, name)) {
                    if (System.nanoTime() > deadline) {
                        List<String> log = Files.readAllLines(dir.resolve("envoy.log"));
                        throw new IllegalStateException("change " + i + " (port " + port + ") not served within"
                                + " 30 s; Envoy log:\n" + String.join("\n", log.subList(Math.max(0,
                                log.size() - 30), log.size())));
                    }
                    // 1 ms between probes: a spinning prober would take the CPU Envoy needs on a small machine.
                    LockSupport.parkNanos(1_000_000);
                }
                nanos[i] = System.nanoTime() - t0;
            }
            System.err.println("Envoy xDS connections opened: " + stat(admin, "cluster.marchproxy_xds.upstream_cx_total")
                    + ", updates rejected (lds/cds): " + stat(admin, "listener_manager.lds.update_rejected") + "/"
                    + stat(admin, "cluster_manager.cds.update_rejected"));
        } finally {
            envoy.destroy();
            if (!envoy.waitFor(5, TimeUnit.SECONDS)) {
                envoy.destroyForcibly();
            }
            servers.forEach(s -> s.stop(0));
        }
        StringBuilder slow = new StringBuilder();
        for (int i = 0; i < changes; i++) {
            if (nanos[i] > 500_000_000L) {
                slow.append(String.format(" #%d=%.0fms", i, nanos[i] / 1e6));
            }
        }
        if (!slow.isEmpty()) {
            System.err.println("changes slower than 500 ms:" + slow);
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("xds-propagation %s, %d cores, Envoy %s, mode %s, %d changes: REST response -> first"
                        + " request served: p50 %.1f ms, p99 %.1f ms, max %.1f ms (targets p50 <= 100 ms,"
                        + " p99 <= 500 ms)%n", Instant.now(), Runtime.getRuntime().availableProcessors(),
                envoyBinary, mode, changes, pct(sorted, 50), pct(sorted, 99), sorted[sorted.length - 1] / 1e6);
        System.out.printf(java.util.Locale.ROOT, "{\"bench\":\"xds-propagation\",\"mode\":\"%s\",\"changes\":%d,"
                        + "\"p50_ms\":%.1f,\"p90_ms\":%.1f,\"p99_ms\":%.1f,\"max_ms\":%.1f}%n", mode, changes,
                pct(sorted, 50), pct(sorted, 90), pct(sorted, 99), sorted[sorted.length - 1] / 1e6);
    }

    /** Envoy is LIVE once its first xDS responses are in; changes made before that would time its startup. */
    private static void awaitLive(int adminPort) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = Rest.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + adminPort + "/ready")).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("Envoy not LIVE within 30 s");
    }

    private static String stat(int adminPort, String name) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + adminPort + "/stats?filter="
                + URLEncoder.encode(name, StandardCharsets.UTF_8));
        String body = Rest.HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String line : body.split("\n")) {
            if (line.startsWith(name + ": ")) {
                return line.substring(name.length() + 2).trim();
            }
        }
        return "?";
    }

    private static double pct(long[] sorted, int p) {
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, idx)] / 1e6;
    }

    private static HttpServer backend(String name) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        byte[] body = name.getBytes(StandardCharsets.UTF_8);
        s.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        s.start();
        return s;
    }

    /** One GET on a fresh connection; true when Envoy answered 200 with {@code expected}. */
    private static boolean served(int port, String expected) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(2000);
            s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String reply = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return reply.startsWith("HTTP/1.1 200") && reply.endsWith("\r\n\r\n" + expected);
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
