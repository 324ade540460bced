package io.marchproxy.perflab.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.marchproxy.control.ControlPlane;
import io.marchproxy.control.ControlPlaneSettings;
import io.marchproxy.control.xds.XdsSettings;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.proxy.ApplyStages;
import io.marchproxy.dataplane.proxy.L4Proxy;
import io.marchproxy.dataplane.proxy.ProxyConfig;
import io.marchproxy.dataplane.proxy.ProxySettings;
import io.marchproxy.lab.L4Lab;
import io.marchproxy.lab.LabClient;
import io.marchproxy.lab.ServerReply;
import io.marchproxy.lab.Transport;
import io.marchproxy.node.L4Dataplane;
import io.marchproxy.perflab.PercentileCurve;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * How long a REST change takes to be enforced by the dataplane after the write is acknowledged: a real control plane
 * (durable store in a temporary directory, as a node runs it), the L4 proxy on the L4 lab, and the node's
 * {@link L4Dataplane} following the store. Each round makes one change over HTTP (alternately: a backend added to or
 * removed from the service, the clients' mapping removed or added), takes the time when the response arrives, and
 * looks every 20 us (parked in between, so that it takes no core from the node) until the dataplane serves the version
 * the write created (the Java workers adopted it and the XDP program's maps flipped to it). Every {@code --check}
 * rounds it checks with traffic that what is served is what was written (a UDP request from a client answered exactly
 * when its mapping exists). Prints p50/p90/p99/max of ack-to-enforced and of commit-to-enforced (the node's own
 * histogram), p50/p99/max of each stage of {@link L4Proxy#apply} ({@link ApplyStages}), and as its last line one JSON
 * object.
 *
 * <p>Usage: {@code ApplyLatencyBench [--changes N] [--check N] [--sync none|async|sync]} (root: it builds namespaces).
 */
public final class ApplyLatencyBench
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "apply-bench-password-0";
    private static final int UDP_PORT = 5353;
    /** How often the bench looks whether a change is served: the figures' resolution, about 0.02-0.07 ms. */
    private static final long POLL_NANOS = 20_000;

    private final HttpClient http = HttpClient.newHttpClient();
    private final URI base;
    private final L4Lab lab;
    private String token;

    private ApplyLatencyBench(final URI base, final L4Lab lab)
    {
        this.base = base;
        this.lab = lab;
    }

    public static void main(final String[] args) throws Exception
    {
        int changes = 1000;
        int check = 50;
        String sync = "none";
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--changes" -> changes = Integer.parseInt(args[++i]);
                case "--check" -> check = Integer.parseInt(args[++i]);
                case "--sync" -> sync = args[++i];
                default ->
                {
                    System.err.println("usage: ApplyLatencyBench [--changes N] [--check N] [--sync none|async|sync]");
                    System.exit(2);
                }
            }
        }
        System.exit(run(changes, check, sync));
    }

    private static int run(final int changes, final int check, final String sync) throws Exception
    {
        final Path dir = Files.createTempDirectory("marchproxy-apply-bench");
        final Config config = Config.just(ConfigSources.create(Map.of(
            "server.host", "127.0.0.1", "server.port", "0", "marchproxy.store.dir", dir.toString(),
            "marchproxy.store.sync", sync, "marchproxy.admin.password", PASSWORD,
            "marchproxy.security.pbkdf2iterations", "1000")));
        final ControlPlaneSettings settings = ControlPlaneSettings.fromConfig(config);
        final PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        try (ControlPlane plane = ControlPlane.start(settings, XdsSettings.DISABLED, quiet);
            L4Lab lab = L4Lab.create(1, 3))
        {
            lab.startServers(Transport.UDP, UDP_PORT, ServerReply.NAME);
            try (L4Proxy proxy = L4Proxy.start(lab.node(), ProxySettings.of(lab.front().name(), lab.back().name(),
                IpAddress.of(lab.back().ipv4()), IpAddress.of(lab.back().ipv6())), ProxyConfig.EMPTY))
            {
                final L4Dataplane dataplane = new L4Dataplane(plane.store(), plane.publisher(), "bench", proxy,
                    Clock.systemUTC());
                try (AutoCloseable ignored = plane.publisher().subscribe(dataplane))
                {
                    dataplane.apply(null);
                    final ApplyLatencyBench bench = new ApplyLatencyBench(URI.create("http://127.0.0.1:" + plane.port()), lab);
                    return bench.measure(plane, dataplane, proxy, changes, check, sync);
                }
            }
        }
        finally
        {
            try (Stream<Path> files = Files.walk(dir))
            {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private int measure(final ControlPlane plane, final L4Dataplane dataplane, final L4Proxy proxy, final int changes,
        final int check, final String sync) throws Exception
    {
        token = call("POST", "/api/v1/auth/login", "{\"username\":\"admin\",\"password\":\"" + PASSWORD + "\"}")
            .get("token").asText();
        final String cluster = call("POST", "/api/v1/clusters", "{\"name\":\"bench\",\"defaultPolicy\":\"deny\"}")
            .get("id").asText();
        final String vip = L4Lab.vip4(1).getHostAddress();
        final String service = call("POST", "/api/v1/services", serviceBody(cluster, vip, 2)).get("id").asText();
        final String mappingBody = "{\"name\":\"clients\",\"clusterId\":\"" + cluster + "\",\"sources\":[\""
            + L4Lab.FRONT_IPV4 + "\"],\"destinations\":[\"all\"],\"protocols\":[\"udp\"],\"ports\":\"1-65535\"}";
        String mapping = call("POST", "/api/v1/mappings", mappingBody).get("id").asText();
        awaitApplied(dataplane, plane.store().state().configVersion());
        final LabClient client = new LabClient(lab.clients().get(0));
        final InetSocketAddress target = new InetSocketAddress(L4Lab.vip4(1), UDP_PORT);
        final long settleStart = System.nanoTime();
        final long settleDeadline = settleStart + Duration.ofSeconds(10).toNanos();
        int tries = 0;
        while (!answered(client, target))
        {
            tries++;
            if (System.nanoTime() > settleDeadline)
            {
                throw new IllegalStateException("the lab service never answered");
            }
        }
        System.out.printf(Locale.ROOT, "first answer %.1f ms after the config was applied (%d unanswered tries)%n",
            (System.nanoTime() - settleStart) / 1e6, tries);

        final Histogram ackToEnforced = new Histogram(60_000_000_000L, 3);
        final long baselineCount = dataplane.latency().snapshot().getTotalCount();
        final Map<ApplyStages.Stage, Histogram> stagesBefore = new EnumMap<>(ApplyStages.Stage.class);
        for (final ApplyStages.Stage stage : ApplyStages.Stage.values())
        {
            stagesBefore.put(stage, proxy.applyStages().snapshot(stage));
        }
        int checks = 0;
        boolean mapped = true;
        int backends = 2;
        for (int i = 0; i < changes; i++)
        {
            final long acked;
            if (i % 2 == 0)
            {
                backends = backends == 2 ? 3 : 2;
                call("PUT", "/api/v1/services/" + service, serviceBody(cluster, vip, backends));
                acked = System.nanoTime();
            }
            else if (mapped)
            {
                call("DELETE", "/api/v1/mappings/" + mapping, null);
                acked = System.nanoTime();
                mapped = false;
            }
            else
            {
                mapping = call("POST", "/api/v1/mappings", mappingBody).get("id").asText();
                acked = System.nanoTime();
                mapped = true;
            }
            final long version = plane.store().state().configVersion();
            awaitApplied(dataplane, version);
            ackToEnforced.recordValue(System.nanoTime() - acked);
            if (check > 0 && i % check == check - 1)
            {
                if (answered(client, target) != mapped)
                {
                    throw new IllegalStateException("after change " + i + " (mapping " + (mapped ? "present" : "removed")
                        + ") the dataplane " + (mapped ? "dropped" : "answered") + " a client's request");
                }
                checks++;
            }
        }
        final Histogram commit = dataplane.latency().snapshot();
        final StringBuilder stageJson = new StringBuilder();
        for (final ApplyStages.Stage stage : ApplyStages.Stage.values())
        {
            final Histogram h = proxy.applyStages().snapshot(stage);
            h.subtract(stagesBefore.get(stage));
            final String name = stage.name().toLowerCase(Locale.ROOT);
            System.out.printf(Locale.ROOT, "L4Proxy.apply stage %-8s p50 %7.3f ms, p99 %7.3f ms, max %7.3f ms%n", name,
                h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getMaxValue() / 1e3);
            stageJson.append(String.format(Locale.ROOT, ",\"stage_%s_p50_ms\":%.3f,\"stage_%s_p99_ms\":%.3f", name,
                h.getValueAtPercentile(50) / 1e3, name, h.getValueAtPercentile(99) / 1e3));
        }
        final String report = String.format(Locale.ROOT,
            "{\"scenario\":\"apply\",\"changes\":%d,\"sync\":\"%s\",\"traffic_checks\":%d,"
                + "\"ack_to_enforced_p50_ms\":%.3f,\"ack_to_enforced_p90_ms\":%.3f,\"ack_to_enforced_p99_ms\":%.3f,"
                + "\"ack_to_enforced_max_ms\":%.3f,\"commit_to_enforced_p50_ms\":%.3f,"
                + "\"commit_to_enforced_p99_ms\":%.3f,\"commit_to_enforced_max_ms\":%.3f,\"commit_samples\":%d,"
                + "\"ack_to_enforced_cdf_ms\":%s%s}",
            changes, sync, checks, ms(ackToEnforced, 50), ms(ackToEnforced, 90), ms(ackToEnforced, 99),
            ackToEnforced.getMaxValue() / 1e6, commit.getValueAtPercentile(50) / 1e3,
            commit.getValueAtPercentile(99) / 1e3, commit.getMaxValue() / 1e3,
            commit.getTotalCount() - baselineCount, PercentileCurve.json(ackToEnforced, 1e6), stageJson);
        System.out.printf(Locale.ROOT, "ack -> enforced: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms over %d "
                + "changes (%d traffic checks passed)%n", ms(ackToEnforced, 50), ms(ackToEnforced, 90),
            ms(ackToEnforced, 99), ackToEnforced.getMaxValue() / 1e6, changes, checks);
        System.out.println(report);
        return 0;
    }

    private static double ms(final Histogram h, final double percentile)
    {
        return h.getValueAtPercentile(percentile) / 1e6;
    }

    private static boolean answered(final LabClient client, final InetSocketAddress target)
    {
        try
        {
            return client.udp(target, "ping", Duration.ofMillis(300)) != null;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /** Waits until the dataplane serves {@code version}, looking every {@link #POLL_NANOS} (plus the timer's slack). */
    private static void awaitApplied(final L4Dataplane dataplane, final long version)
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (dataplane.appliedVersion() < version)
        {
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException("config version " + version + " not applied within 10 s");
            }
            // Parked, not spinning: on a 2-core machine a spinning observer takes a core from the threads it waits for
            // (the monitor's, the control thread's), and the figure was its own (p99 9-11 ms spinning, 6 parked).
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    private String serviceBody(final String cluster, final String vip, final int backends)
    {
        final StringBuilder b = new StringBuilder("{\"name\":\"udp\",\"clusterId\":\"").append(cluster)
            .append("\",\"address\":\"").append(vip).append("\",\"port\":").append(UDP_PORT)
            .append(",\"protocol\":\"udp\",\"backends\":[");
        for (int i = 1; i <= backends; i++)
        {
            b.append(i > 1 ? "," : "").append("{\"address\":\"")
                .append(lab.backends().get(i - 1).link().ipv4().getHostAddress()).append("\",\"port\":")
                .append(UDP_PORT).append('}');
        }
        return b.append("]}").toString();
    }

    private JsonNode call(final String method, final String path, final String body) throws Exception
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        if (body != null)
        {
            b.header("Content-Type", "application/json");
        }
        if (token != null)
        {
            b.header("Authorization", "Bearer " + token);
        }
        final HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2)
        {
            throw new IllegalStateException(method + " " + path + ": " + r.statusCode() + " " + r.body());
        }
        return r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
    }
}
