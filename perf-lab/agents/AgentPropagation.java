import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marchproxy.lab.L4Lab;
import io.marchproxy.lab.ServerReply;
import io.marchproxy.lab.Transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The agent-propagation driver ({@code java AgentPropagation.java URL CHANGES WORKDIR WARMUP}, run by {@code run}; the admin
 * password comes from {@code MARCHPROXY_ADMIN_PASSWORD}, the agent command from {@code MP_AGENT_COMMAND}).
 *
 * <p>Against a running control plane: two L4 labs (a client, the node namespace, two backends answering UDP with
 * their names), a cluster with one UDP service on VIP 10.215.0.30:53 and two agent processes, one per lab, following
 * the cluster. After WARMUP changes that are not measured (JITs warm, both backends' MACs learned), CHANGES times: PUT the service onto the other backend and, from the moment the request is sent,
 * probe the VIP through each agent's proxy (a fresh socket from a source port not used before, so a new flow, every
 * millisecond, answers awaited together) until it answers from the new backend. A change's figure is the time until both agents' dataplanes serve it.
 */
public final class AgentPropagation {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int VIP = 30;
    private static final int PORT = 53;
    private static final int BACKEND_PORT = 5353;
    private static final long PROBE_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final Duration PROBE_TIMEOUT = Duration.ofMillis(200);
    private static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int FIRST_SOURCE_PORT = 10_000;
    private static final int SOURCE_PORT_COUNT = 50_000;
    private static final java.util.concurrent.atomic.AtomicLong SOURCE_PORTS = new java.util.concurrent.atomic.AtomicLong();

    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private String token;

    private AgentPropagation(String base) {
        this.base = base;
    }

    public static void main(String[] args) throws Exception {
        String base = args[0];
        int changes = Integer.parseInt(args[1]);
        Path work = Path.of(args[2]);
        int warmup = Integer.parseInt(args[3]);
        String[] agentCommand = System.getenv("MP_AGENT_COMMAND").trim().split("\\s+");
        String loadBefore = load();
        new AgentPropagation(base).run(changes, warmup, work, agentCommand, loadBefore);
    }

    private void run(int changes, int warmup, Path work, String[] agentCommand, String loadBefore) throws Exception {
        token = call("POST", "/api/v1/auth/login", "{\"username\":\"admin\",\"password\":\""
                + System.getenv("MARCHPROXY_ADMIN_PASSWORD") + "\"}", 200).get("token").asText();
        JsonNode cluster = call("POST", "/api/v1/clusters", "{\"name\":\"agents-bench\",\"defaultPolicy\":\"allow\"}",
                201);
        String clusterId = cluster.get("id").asText();
        Path keyFile = Files.createFile(work.resolve("cluster.key"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(keyFile, cluster.get("apiKey").asText() + "\n");
        String serviceId = call("POST", "/api/v1/services", service(clusterId, 1), 201).get("id").asText();

        List<L4Lab> labs = new ArrayList<>();
        List<Process> agents = new ArrayList<>();
        ExecutorService probes = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 2; i++) {
                L4Lab lab = L4Lab.create(1, 2);
                labs.add(lab);
                lab.startServers(Transport.UDP, BACKEND_PORT, ServerReply.NAME);
                List<String> command = new ArrayList<>(Arrays.asList(agentCommand));
                command.addAll(List.of("--control", base, "--cluster-key-file", keyFile.toString(),
                        "--front", lab.front().name(), "--back", lab.back().name(), "--netns", lab.node().name(),
                        "--name", "bench-agent-" + i, "--heartbeat", "1"));
                agents.add(new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(work.resolve("agent-" + i + ".log").toFile()).start());
            }
            for (int i = 0; i < 2; i++) {
                long t = awaitAnswer(labs.get(i), "backend1", System.nanoTime(), TimeUnit.SECONDS.toNanos(60));
                if (t < 0) {
                    throw new IllegalStateException("agent " + i + " never served the first configuration; see "
                            + work.resolve("agent-" + i + ".log") + ":\n"
                            + Files.readString(work.resolve("agent-" + i + ".log")));
                }
            }
            // Unmeasured changes first: both backends' MACs learned by both proxies, the JITs of every process warm.
            for (int w = 0; w < Math.max(2, warmup); w++) {
                int backend = w % 2 == 0 ? 2 : 1;
                call("PUT", "/api/v1/services/" + serviceId, service(clusterId, backend), 200);
                for (L4Lab lab : labs) {
                    awaitAnswer(lab, "backend" + backend, System.nanoTime(), GIVE_UP_NANOS);
                }
            }
            if (warmup % 2 == 1) {
                call("PUT", "/api/v1/services/" + serviceId, service(clusterId, 1), 200);
                for (L4Lab lab : labs) {
                    awaitAnswer(lab, "backend1", System.nanoTime(), GIVE_UP_NANOS);
                }
            }

            Thread.sleep(2_500); // two heartbeats: the agents' counters before the measured changes
            java.util.Map<String, Long> dropsBefore = drops(clusterId);
            long[] both = new long[changes];
            long[] fromResponse = new long[changes];
            long[][] each = new long[2][changes];
            long[] rest = new long[changes];
            for (int c = 0; c < changes; c++) {
                int backend = c % 2 == 0 ? 2 : 1;
                String answer = "backend" + backend;
                HttpRequest put = request("PUT", "/api/v1/services/" + serviceId, service(clusterId, backend));
                long t0 = System.nanoTime();
                CompletableFuture<Long> responded = http.sendAsync(put, HttpResponse.BodyHandlers.ofString())
                        .thenApply(r -> {
                            long at = System.nanoTime();
                            if (r.statusCode() != 200) {
                                throw new IllegalStateException("PUT answered " + r.statusCode() + ": " + r.body());
                            }
                            return at;
                        });
                List<Future<Long>> seen = new ArrayList<>();
                for (L4Lab lab : labs) {
                    seen.add(probes.submit(() -> awaitAnswer(lab, answer, t0, GIVE_UP_NANOS)));
                }
                long tResponse = responded.get(10, TimeUnit.SECONDS);
                long last = 0;
                for (int i = 0; i < 2; i++) {
                    long t = seen.get(i).get();
                    if (t < 0) {
                        throw new IllegalStateException("change " + c + " not served by agent " + i + " within 10 s");
                    }
                    each[i][c] = t - t0;
                    last = Math.max(last, t);
                }
                both[c] = last - t0;
                fromResponse[c] = last - tResponse;
                rest[c] = tResponse - t0;
            }
            String loadAfter = load();
            Thread.sleep(2_500); // two heartbeats: the agents' counters as of now
            StringBuilder counters = new StringBuilder();
            for (JsonNode p : call("GET", "/api/v1/proxies?clusterId=" + clusterId, null, 200).get("items")) {
                String name = p.get("name").asText();
                counters.append(String.format(Locale.ROOT, "%s: config v%d, %s, forwarded %d packets in all, dropped "
                                + "%d during the measured changes (%d in all, start-up included: backends' MACs not "
                                + "yet learned)%n", name, p.get("lastConfigVersion").asLong(), p.get("health").asText(),
                        p.at("/metrics/txPackets").asLong(),
                        p.at("/metrics/drops").asLong() - dropsBefore.getOrDefault(name, 0L),
                        p.at("/metrics/drops").asLong()));
            }
            StringBuilder out = new StringBuilder();
            out.append(String.format(Locale.ROOT, "agent-propagation, %s: %d changes after %d unmeasured (each PUT "
                    + "moves a UDP service to the other backend), 2 agent processes in 2 lab namespaces following one "
                    + "control plane over REST; probes every 1 ms on fresh flows%n", Instant.now(), changes, warmup));
            out.append("load average before: ").append(loadBefore).append(", after: ").append(loadAfter).append('\n');
            out.append(line("REST request sent -> served by both agents", both));
            out.append(line("REST response -> served by both agents", fromResponse));
            out.append(line("REST request sent -> served by agent 0", each[0]));
            out.append(line("REST request sent -> served by agent 1", each[1]));
            out.append(line("REST request sent -> response (the write)", rest));
            out.append(counters);
            out.append(String.format(Locale.ROOT, "{\"bench\":\"agent-propagation\",\"changes\":%d,\"both_p50_ms\":%.2f,"
                            + "\"both_p99_ms\":%.2f,\"both_max_ms\":%.2f,\"load_before\":\"%s\",\"load_after\":\"%s\"}%n",
                    changes, ms(percentile(both, 50)), ms(percentile(both, 99)), ms(percentile(both, 100)),
                    loadBefore, loadAfter));
            System.out.print(out);
        } finally {
            probes.shutdownNow();
            for (Process p : agents) {
                p.destroy(); // SIGTERM: the agent detaches XDP and stops
            }
            for (Process p : agents) {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            for (L4Lab lab : labs) {
                lab.close();
            }
        }
    }

    /**
     * Probes through the lab's proxy until it answers {@code expected}; the time it did, or -1 after the limit. A new
     * datagram socket (a new flow) every millisecond, none waiting for another: a probe the dataplane drops costs
     * no more than its own socket, so the time seen is the first answer of the new configuration.
     */
    private static long awaitAnswer(L4Lab lab, String expected, long since, long limitNanos) throws Exception {
        InetSocketAddress vip = new InetSocketAddress(L4Lab.vip4(VIP), PORT);
        byte[] want = expected.getBytes(StandardCharsets.UTF_8);
        return lab.clients().get(0).namespace().call(() -> {
            ArrayDeque<DatagramChannel> open = new ArrayDeque<>();
            ArrayDeque<Long> opened = new ArrayDeque<>();
            ByteBuffer answer = ByteBuffer.allocate(256);
            try (Selector selector = Selector.open()) {
                long next = System.nanoTime();
                while (System.nanoTime() - since < limitNanos) {
                    long now = System.nanoTime();
                    if (now >= next) {
                        DatagramChannel ch = DatagramChannel.open(); // inside the client's namespace
                        ch.configureBlocking(false);
                        ch.bind(new InetSocketAddress(nextSourcePort()));
                        ch.connect(vip);
                        ch.write(ByteBuffer.wrap(new byte[]{'q'}));
                        ch.register(selector, SelectionKey.OP_READ);
                        open.add(ch);
                        opened.add(now);
                        next = now + PROBE_EVERY_NANOS;
                        while (!opened.isEmpty() && now - opened.peek() > PROBE_TIMEOUT.toNanos()) {
                            opened.poll();
                            open.poll().close();
                        }
                    }
                    selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime())));
                    for (SelectionKey key : selector.selectedKeys()) {
                        DatagramChannel ch = (DatagramChannel) key.channel();
                        answer.clear();
                        try {
                            ch.read(answer);
                        } catch (IOException e) {
                            continue; // an ICMP error for this probe: the others go on
                        }
                        if (answer.position() == want.length
                                && Arrays.equals(Arrays.copyOf(answer.array(), want.length), want)) {
                            return System.nanoTime();
                        }
                    }
                    selector.selectedKeys().clear();
                }
                return -1L;
            } finally {
                for (DatagramChannel ch : open) {
                    ch.close();
                }
            }
        });
    }

    /** Each agent's dropped frames as its last heartbeat reported them, by proxy name. */
    private java.util.Map<String, Long> drops(String clusterId) throws Exception {
        java.util.Map<String, Long> out = new java.util.HashMap<>();
        for (JsonNode p : call("GET", "/api/v1/proxies?clusterId=" + clusterId, null, 200).get("items")) {
            out.put(p.get("name").asText(), p.at("/metrics/drops").asLong());
        }
        return out;
    }

    /**
     * Source ports in turn through a wide range: a port the kernel picked at random could repeat an earlier probe's
     * within the proxy's 30 s UDP flow timeout and land on that probe's flow (and its backend), not on a new one.
     */
    private static int nextSourcePort() {
        return FIRST_SOURCE_PORT + (int) (SOURCE_PORTS.getAndIncrement() % SOURCE_PORT_COUNT);
    }

    private static String service(String clusterId, int backend) {
        return "{\"name\":\"bench\",\"clusterId\":\"" + clusterId + "\",\"address\":\"10.215.0." + VIP + "\",\"port\":"
                + PORT + ",\"protocol\":\"udp\",\"backends\":[{\"address\":\"10.214.0." + (10 + backend)
                + "\",\"port\":" + BACKEND_PORT + "}]}";
    }

    private HttpRequest request(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type",
                "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b.build();
    }

    private JsonNode call(String method, String path, String body, int expected) throws Exception {
        HttpRequest req = body == null ? HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token).GET().build() : request(method, path, body);
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private static String line(String what, long[] nanos) {
        return String.format(Locale.ROOT, "%-45s p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms%n", what,
                ms(percentile(nanos, 50)), ms(percentile(nanos, 99)), ms(percentile(nanos, 100)));
    }

    /** The nearest-rank percentile. */
    private static long percentile(long[] values, double p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static String load() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
        return f[0] + " " + f[1] + " " + f[2];
    }
}
