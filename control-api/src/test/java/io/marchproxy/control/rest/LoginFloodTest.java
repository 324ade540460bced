package io.marchproxy.control.rest;

import io.marchproxy.control.ControlPlaneSettings;
import io.marchproxy.control.auth.PasswordHasher;
import net.openhft.chronicle.bytes.SyncMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A login flood against a control plane hashing at the production PBKDF2 cost: four clients, each from its own
 * loopback address with four connections at once, spray logins with unknown usernames at 25 a second per connection
 * (about 60 times what two cores can hash) while a reader times GETs. The flood is answered 429 with
 * {@code Retry-After} as problem+json, GETs stay fast (median under 100 ms, none over 2 s), and a legitimate user
 * logs in afterwards. Without the login budget the GETs wait for seconds.
 */
class LoginFloodTest {
    private static final int ATTACKERS = 4;
    private static final int CONNECTIONS = 4;
    private static final long FLOOD_NANOS = 3_000_000_000L;

    static TestPlane t;
    static String admin;

    @BeforeAll
    static void start() throws IOException {
        t = new TestPlane(new ControlPlaneSettings("127.0.0.1", 0, Files.createTempDirectory("marchproxy-flood"), 1000,
                SyncMode.NONE, "", "", Duration.ofMinutes(5), PasswordHasher.DEFAULT_ITERATIONS, "admin",
                TestPlane.ADMIN_PASSWORD, "", "", Duration.ofSeconds(60)), true);
        admin = t.adminToken();
    }

    /** Stopping the server stops its hashing threads too. */
    @AfterAll
    static void stop() throws Exception {
        t.close();
        for (long until = System.nanoTime() + 10_000_000_000L; hashingThreads() > 0; Thread.sleep(20)) {
            assertTrue(System.nanoTime() < until, hashingThreads() + " login-hashing threads outlive the server");
        }
    }

    private static long hashingThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(th -> th.isAlive() && th.getName().startsWith("login-hashing-")).count();
    }

    /** A response read whole from a connection made from a chosen loopback address. */
    record Raw(int status, Map<String, String> headers, String body) {
    }

    static Raw login(String from, String username, String password) {
        String body = "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}";
        String request = "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Connection: close\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress("127.0.0.1", t.plane.port()), 5_000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // Read by Content-Length: the server says "Connection: close" but need not close before the client does.
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    throw new IOException("closed in the headers: " + head);
                }
                head.append((char) c);
            }
            String[] lines = head.toString().split("\r\n");
            Map<String, String> headers = new ConcurrentHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
            byte[] entity = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
            return new Raw(Integer.parseInt(lines[0].split(" ")[1]), headers,
                    new String(entity, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aFloodIsRefusedWith429WhileGetsStayFastAndAUserStillLogsIn() throws Exception {
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        List<Raw> refusals = new ArrayList<>();
        long start = System.nanoTime();
        List<Thread> attackers = new ArrayList<>();
        for (int a = 0; a < ATTACKERS * CONNECTIONS; a++) {
            String from = "127.0.0." + (20 + a % ATTACKERS);
            int connection = a;
            attackers.add(Thread.ofPlatform().start(() -> {
                for (int n = 0; System.nanoTime() - start < FLOOD_NANOS; n++) {
                    long due = start + n * 40_000_000L;
                    for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
                        LockSupport.parkNanos(due - now);
                    }
                    Raw r = login(from, "spray-" + connection + "-" + n, "guess");
                    statuses.computeIfAbsent(r.status(), s -> new AtomicInteger()).incrementAndGet();
                    if (r.status() == 429) {
                        synchronized (refusals) {
                            refusals.add(r);
                        }
                    }
                }
            }));
        }
        List<Long> gets = new ArrayList<>();
        while (System.nanoTime() - start < FLOOD_NANOS) {
            long before = System.nanoTime();
            assertEquals(200, t.get("/api/v1/clusters", admin).status());
            gets.add((System.nanoTime() - before) / 1_000_000);
            Thread.sleep(50);
        }
        for (Thread a : attackers) {
            a.join();
        }
        int refused = statuses.getOrDefault(429, new AtomicInteger()).get();
        assertTrue(refused > statuses.getOrDefault(401, new AtomicInteger()).get(),
                "most of the flood is refused before hashing: " + statuses);
        Raw one = refusals.get(0);
        assertEquals("application/problem+json", one.headers().get("content-type"), one.toString());
        long retryAfter = Long.parseLong(one.headers().get("retry-after"));
        assertTrue(retryAfter >= 1 && retryAfter <= 3, one.toString());
        assertTrue(one.body().contains("\"status\":429"), one.body());
        // Bounds with room for a loaded machine; without the budget the median GET waits for seconds.
        List<Long> sorted = gets.stream().sorted().toList();
        assertTrue(sorted.get(sorted.size() / 2) < 100 && sorted.get(sorted.size() - 1) < 2_000,
                "GET latencies during the flood, ms: " + sorted + " (flood " + statuses + ")");

        assertEquals(200, login("127.0.0.3", "admin", TestPlane.ADMIN_PASSWORD).status(), "a user logs in");
    }
}
