import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * A login flood against a running control plane, run as a source file ({@code java LoginFlood.java ...}), measuring
 * what it does to everyone else. Three kinds of client, each from its own loopback address (127.0.0.0/8 is all
 * loopback on Linux), so a per-client budget sees them apart:
 * <ul>
 * <li>FLOOD_CLIENTS attackers (127.0.0.20, .21, ...), each a keep-alive connection sending
 * {@code POST /api/v1/auth/login} with a new unknown username every time (each costs the server a full PBKDF2),
 * as fast as answers come, or at FLOOD_RATE per client per second when given;</li>
 * <li>a reader (127.0.0.2) sending {@code GET /api/v1/services?limit=20} with a token 20 times a second on a fixed
 * schedule, each timed from when it was due (coordinated omission corrected): its latency first without the flood
 * (the first SECONDS), then with it (the next SECONDS);</li>
 * <li>a legitimate user (127.0.0.3) logging in with the right password every 2 s during the flood.</li>
 * </ul>
 * Prints one line per measure.
 *
 * <p>Usage: {@code LoginFlood PORT SECONDS FLOOD_CLIENTS [FLOOD_RATE]}; {@code MP_TOKEN}, {@code MP_USER} and
 * {@code MP_PASSWORD} from the environment.
 */
public final class LoginFlood {
    private static final long GET_INTERVAL = 50_000_000L;
    private static final long LEGIT_INTERVAL = 2_000_000_000L;

    private LoginFlood() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long nanos = Long.parseLong(args[1]) * 1_000_000_000L;
        int clients = Integer.parseInt(args[2]);
        double rate = args.length > 3 ? Double.parseDouble(args[3]) : 0;
        String token = System.getenv("MP_TOKEN");
        String legitBody = "{\"username\":\"" + System.getenv("MP_USER") + "\",\"password\":\""
                + System.getenv("MP_PASSWORD") + "\"}";

        long t0 = System.nanoTime() + 100_000_000L;
        long floodFrom = t0 + nanos;
        long end = floodFrom + nanos;
        Map<Integer, LongAdder> floodStatus = new ConcurrentHashMap<>();
        Thread[] attackers = new Thread[clients];
        for (int c = 0; c < clients; c++) {
            int id = c;
            attackers[c] = Thread.ofPlatform().name("flood-" + c).start(() -> {
                long interval = rate > 0 ? (long) (1e9 / rate) : 0;
                long sent = 0;
                while (System.nanoTime() < end) {
                    try (Conn conn = new Conn("127.0.0." + (20 + id), port)) {
                        while (System.nanoTime() < end) {
                            if (interval > 0) {
                                waitUntil(floodFrom + sent * interval);
                            } else {
                                waitUntil(floodFrom);
                            }
                            HttpWire.Response r = conn.exchange(HttpWire.request("POST", "/api/v1/auth/login", port,
                                    null, "{\"username\":\"spray-" + id + "-" + sent + "\",\"password\":\"guess-"
                                            + sent + "\"}"));
                            sent++;
                            floodStatus.computeIfAbsent(r.status(), s -> new LongAdder()).increment();
                            if (r.close()) {
                                break;
                            }
                        }
                    } catch (IOException e) {
                        floodStatus.computeIfAbsent(0, s -> new LongAdder()).increment();
                    }
                }
            });
        }

        long[] quiet = new long[(int) (nanos / GET_INTERVAL) + 1];
        long[] flooded = new long[quiet.length];
        int[] counts = new int[2];
        Thread reader = Thread.ofPlatform().name("reader").start(() -> {
            byte[] get = HttpWire.request("GET", "/api/v1/services?limit=20", port, token, null);
            try (Conn conn = new Conn("127.0.0.2", port)) {
                for (long n = 0; ; n++) {
                    long due = t0 + n * GET_INTERVAL;
                    if (due >= end) {
                        break;
                    }
                    waitUntil(due);
                    int status = conn.exchange(get).status();
                    long took = System.nanoTime() - due;
                    if (status != 200) {
                        System.err.println("GET answered " + status);
                    }
                    int phase = due < floodFrom ? 0 : 1;
                    long[] into = phase == 0 ? quiet : flooded;
                    if (counts[phase] < into.length) {
                        into[counts[phase]++] = took;
                    }
                }
            } catch (IOException e) {
                System.err.println("reader: " + e);
            }
        });

        Map<Integer, Integer> legitStatus = new TreeMap<>();
        long[] legit = new long[(int) (nanos / LEGIT_INTERVAL) + 1];
        int legitCount = 0;
        try (Conn conn = new Conn("127.0.0.3", port)) {
            byte[] login = HttpWire.request("POST", "/api/v1/auth/login", port, null, legitBody);
            for (long due = floodFrom + LEGIT_INTERVAL / 4; due < end && legitCount < legit.length;
                 due += LEGIT_INTERVAL) {
                waitUntil(due);
                int status = conn.exchange(login).status();
                legit[legitCount++] = System.nanoTime() - due;
                legitStatus.merge(status, 1, Integer::sum);
            }
        }
        reader.join();
        for (Thread a : attackers) {
            a.join();
        }

        double seconds = nanos / 1e9;
        long floodTotal = floodStatus.values().stream().mapToLong(LongAdder::sum).sum();
        Map<Integer, Long> byStatus = new TreeMap<>();
        floodStatus.forEach((s, n) -> byStatus.put(s, n.sum()));
        System.out.println("GET without flood: " + summary(quiet, counts[0]));
        System.out.println("GET during flood:  " + summary(flooded, counts[1]));
        System.out.println(String.format(Locale.ROOT, "flood: %d clients, %d logins (%.1f/s) by status %s",
                clients, floodTotal, floodTotal / seconds, byStatus).replace("{0=", "{io-error="));
        System.out.println("legitimate login every 2 s during flood: " + legitStatus + " (status=count), "
                + summary(legit, legitCount));
    }

    private static String summary(long[] samples, int n) {
        long[] s = Arrays.copyOf(samples, n);
        Arrays.sort(s);
        if (n == 0) {
            return "no samples";
        }
        List<Double> p = List.of(50.0, 99.0, 99.9);
        StringBuilder out = new StringBuilder(n + " requests,");
        for (double q : p) {
            out.append(String.format(Locale.ROOT, " p%s %.2f ms", q == 99.9 ? "99.9" : Integer.toString((int) q),
                    s[Math.min(n - 1, (int) (n * q / 100))] / 1e6));
        }
        return out.append(String.format(Locale.ROOT, " max %.1f ms", s[n - 1] / 1e6)).toString();
    }

    private static void waitUntil(long due) {
        for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
            LockSupport.parkNanos(due - now);
        }
    }

    /** One keep-alive connection from a given loopback address. */
    private static final class Conn implements AutoCloseable {
        private final Socket socket = new Socket();
        private final InputStream in;
        private final OutputStream out;

        Conn(String from, int port) throws IOException {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            out = socket.getOutputStream();
        }

        HttpWire.Response exchange(byte[] request) throws IOException {
            out.write(request);
            out.flush();
            return HttpWire.read(in);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
