import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A second client for the durable-write benchmark, run as a source file ({@code java WriteClient.java ...}), in two
 * modes:
 * <ul>
 * <li>closed loop (no RATE): the same loop as wrk, N keep-alive connections each sending {@code POST /api/v1/services}
 * as soon as the previous answer is in; each request timed in its own thread with {@link System#nanoTime} from just
 * before it is written to the end of the response body: the service time, without the queueing a stall causes;</li>
 * <li>open loop (RATE requests/s in total): each connection sends at a fixed schedule (RATE/N per second, staggered)
 * and a request's latency runs from its <em>scheduled</em> send time, so a stall that delays the requests behind it
 * counts for every one of them (coordinated omission corrected, as wrk2 and HdrHistogram's expected-interval
 * recording do). This is the latency an operator's client sending at that rate sees.</li>
 * </ul>
 * The first 2 s are sent but not recorded (the client's start-up). Prints one summary line, then the same figures as
 * one JSON line.
 *
 * <p>Usage: {@code WriteClient PORT CONNECTIONS SECONDS NAME_PREFIX [RATE]}; {@code MP_TOKEN} and {@code MP_CLUSTER}
 * from the environment.
 */
public final class WriteClient {
    private static final long WARMUP_NANOS = 2_000_000_000L;

    private WriteClient() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int connections = Integer.parseInt(args[1]);
        long seconds = Long.parseLong(args[2]);
        String prefix = args[3];
        double rate = args.length > 4 ? Double.parseDouble(args[4]) : 0;
        long interval = rate > 0 ? (long) (connections * 1e9 / rate) : 0;
        String token = System.getenv("MP_TOKEN");
        String cluster = System.getenv("MP_CLUSTER");
        long t0 = System.nanoTime() + 50_000_000L;
        // The first WARMUP_NANOS are sent but not recorded: the client's own JIT and connection start-up would
        // otherwise count as server latency (in open loop every later request inherits a slow start).
        long measureFrom = t0 + WARMUP_NANOS;
        long end = measureFrom + seconds * 1_000_000_000L;
        AtomicLong errors = new AtomicLong();
        List<long[]> samples = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        int[] counts = new int[connections];
        for (int c = 0; c < connections; c++) {
            long[] mine = new long[1 << 21];
            samples.add(mine);
            int id = c;
            threads.add(Thread.ofPlatform().name("write-client-" + c).start(() -> {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setTcpNoDelay(true);
                    InputStream in = new BufferedInputStream(s.getInputStream(), 1 << 16);
                    OutputStream out = s.getOutputStream();
                    int n = 0;
                    long sent = 0;
                    while (System.nanoTime() < end && n < mine.length) {
                        // An address and port of its own: services of one cluster may not claim the same port.
                        String body = "{\"name\":\"" + prefix + id + "-" + sent + "\",\"clusterId\":\"" + cluster
                                + "\",\"address\":\"10." + (id & 255) + "." + ((sent >> 8) & 255) + "."
                                + (sent & 255) + "\",\"port\":" + (8080 + (sent >> 16)) + ",\"protocol\":\"tcp\","
                                + "\"backends\":[{\"address\":\"10.0.1.1\",\"port\":80}]}";
                        byte[] request = HttpWire.request("POST", "/api/v1/services", port, token, body);
                        long start;
                        if (interval > 0) {
                            // Open loop: the n-th request of this connection is due at a fixed time; wait for it
                            // when early, send at once when late, and time it from when it was due.
                            long due = t0 + (long) id * interval / connections + sent * interval;
                            for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
                                if (due - now > 200_000) {
                                    java.util.concurrent.locks.LockSupport.parkNanos(due - now - 100_000);
                                } else {
                                    Thread.onSpinWait();
                                }
                            }
                            start = due;
                        } else {
                            start = System.nanoTime();
                        }
                        out.write(request);
                        out.flush();
                        int status = HttpWire.read(in).status();
                        long done = System.nanoTime();
                        sent++;
                        if (start >= measureFrom) {
                            mine[n++] = done - start;
                        }
                        if (status != 201) {
                            errors.incrementAndGet();
                        }
                    }
                    counts[id] = n;
                } catch (IOException e) {
                    errors.incrementAndGet();
                    System.err.println("connection " + id + ": " + e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        int total = 0;
        for (int n : counts) {
            total += n;
        }
        long[] all = new long[total];
        int at = 0;
        for (int c = 0; c < connections; c++) {
            System.arraycopy(samples.get(c), 0, all, at, counts[c]);
            at += counts[c];
        }
        Arrays.sort(all);
        long within = Arrays.stream(all).filter(x -> x <= 5_000_000L).count();
        System.out.println(String.format(Locale.ROOT,
                (rate > 0 ? "open loop at " + (long) rate + "/s, latency from the scheduled send time: "
                        : "closed loop: ") + "%d requests (%.0f/s), p50 %.2f ms p90 %.2f ms p99 %.2f ms p99.9 %.2f ms max %.1f ms, %.2f%% within"
                        + " 5 ms, %d errors",
                total, total / (double) seconds, ms(all, 50), ms(all, 90), ms(all, 99), ms(all, 99.9),
                total == 0 ? 0 : all[total - 1] / 1e6, total == 0 ? 0 : 100.0 * within / total, errors.get()));
        // The same figures as one JSON line, for perf-lab/rest/run's result.
        System.out.println(String.format(Locale.ROOT,
                "{\"loop\":\"%s\",\"rate\":%s,\"connections\":%d,\"requests\":%d,\"per_second\":%.0f,\"p50_ms\":%.3f,"
                        + "\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f,\"within_5ms_pct\":%.2f,"
                        + "\"errors\":%d}", rate > 0 ? "open" : "closed", rate > 0 ? Long.toString((long) rate) : "null",
                connections, total, total / (double) seconds, ms(all, 50), ms(all, 90), ms(all, 99), ms(all, 99.9),
                total == 0 ? 0 : all[total - 1] / 1e6, total == 0 ? 0 : 100.0 * within / total, errors.get()));
    }

    private static double ms(long[] sorted, double percentile) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) (sorted.length * percentile / 100))] / 1e6;
    }
}
