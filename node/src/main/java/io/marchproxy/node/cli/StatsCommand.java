package io.marchproxy.node.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.marchproxy.node.ShutdownSignal;
import io.marchproxy.node.stats.MetricsScrape;
import io.marchproxy.node.stats.ProxiesView;
import io.marchproxy.node.stats.StatsView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code marchproxy stats}: a running node's live table from outside its process, read from its
 * {@code /observe/metrics} every {@code --interval} seconds ({@link StatsView}); refreshed in place on a terminal,
 * appended otherwise or with {@code --plain}.
 */
@Command(name = "stats", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {"Shows a running node's figures, refreshed in place: config version, flows, per-packet latency "
        + "p50/p99 over the interval, the XDP program's frames, per L4 service packets a second and in total, flows "
        + "opened a second, open and in total, denied, and the drops by stage and reason. Reads the node's "
        + "/observe/metrics (no credentials, no root); Ctrl-C stops it.",
        "With --proxies: every proxy the control plane knows, remote agents included (GET /api/v1/proxies, a viewer's "
            + "token): status, health, the config version it serves, and its last heartbeat's figures.", ""})
final class StatsCommand implements Callable<Integer>
{
    private static final String CLEAR = "\033[H\033[2J";

    @Spec
    CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:${env:SERVER_PORT:-8080}",
        description = "the node's (or with --proxies the control plane's) REST address (default: ${DEFAULT-VALUE}, "
            + "the port from SERVER_PORT as the node takes it)")
    URI url;

    @Option(names = "--interval", paramLabel = "S", defaultValue = "1",
        description = "seconds between refreshes (default: ${DEFAULT-VALUE})")
    double interval;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0",
        description = "stop after N views (default: until Ctrl-C)")
    int count;

    @Option(names = "--proxies", description = "the proxies the control plane at --url knows (agents), not a node's "
        + "own figures")
    boolean proxies;

    @Option(names = "--token-file", paramLabel = "FILE", description = "with --proxies: a file holding a bearer token "
        + "(POST /api/v1/auth/login gives one; default: $MARCHPROXY_TOKEN)")
    Path tokenFile;

    @Option(names = "--cluster-id", paramLabel = "ID", description = "with --proxies: only this cluster's")
    String clusterId;

    @Option(names = "--plain", description = "append each view instead of refreshing in place (default when the "
        + "output is not a terminal)")
    boolean plain;

    @Override
    public Integer call() throws Exception
    {
        if (interval < 0.1 || interval > 3600)
        {
            throw new ParameterException(spec.commandLine(), "--interval must be 0.1..3600 seconds: " + interval);
        }
        if (count < 0)
        {
            throw new ParameterException(spec.commandLine(), "--count must be 0 (until stopped) or more: " + count);
        }
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null)
        {
            throw new ParameterException(spec.commandLine(), "--url needs http://HOST:PORT or https://HOST:PORT, not '"
                + url + "'");
        }
        final String token = proxies ? token() : null;
        final URI metrics = url.resolve(proxies ? "/api/v1/proxies?limit=500"
            + (clusterId == null ? "" : "&clusterId=" + URLEncoder.encode(clusterId, StandardCharsets.UTF_8))
            : "/observe/metrics");
        final ProxiesView proxiesView = new ProxiesView();
        final ObjectMapper json = new ObjectMapper();
        final boolean inPlace = !plain && System.console() != null;
        final PrintWriter out = spec.commandLine().getOut();
        final ShutdownSignal signal = ShutdownSignal.install("stats-stop", 5);
        final CountDownLatch stop = signal.stop();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build())
        {
            MetricsScrape before = null;
            long beforeNanos = 0;
            final long period = (long)(interval * 1e9);
            final long start = System.nanoTime();
            for (int view = 1; count == 0 || view <= count; view++)
            {
                final long taken = System.nanoTime();
                final String body = get(http, metrics, token);
                final MetricsScrape now = proxies ? null : MetricsScrape.parse(body);
                final String frame = proxies ? proxiesView.render(json.readTree(body), Instant.now())
                    : StatsView.render(before, now, (taken - beforeNanos) / 1e9);
                out.print((inPlace ? CLEAR : "") + "marchproxy stats " + url + "  "
                    + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\n" + frame);
                out.flush();
                before = now;
                beforeNanos = taken;
                if ((count == 0 || view < count)
                    && stop.await(start + view * period - System.nanoTime(), TimeUnit.NANOSECONDS))
                {
                    break;
                }
            }
            return 0;
        }
        finally
        {
            signal.finished();
        }
    }

    /** The bearer token for --proxies: from --token-file, else $MARCHPROXY_TOKEN. */
    private String token() throws IOException
    {
        final String text = tokenFile != null ? Files.readString(tokenFile) : System.getenv("MARCHPROXY_TOKEN");
        if (text == null || text.isBlank())
        {
            throw new ParameterException(spec.commandLine(), "--proxies needs a token: --token-file FILE or "
                + "MARCHPROXY_TOKEN (POST /api/v1/auth/login gives one)");
        }
        return text.strip();
    }

    private static String get(final HttpClient http, final URI uri, final String token) throws IOException,
        InterruptedException
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET();
        if (token == null)
        {
            request.header("Accept", "text/plain; version=0.0.4");
        }
        else
        {
            request.header("Accept", "application/json").header("Authorization", "Bearer " + token);
        }
        final HttpResponse<String> r;
        try
        {
            r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (final ConnectException ex)
        {
            throw new IOException("nothing answers at " + uri + " (is it running? --url names another)", ex);
        }
        if (r.statusCode() == 401 || r.statusCode() == 403)
        {
            throw new IOException(uri + " refused the token (" + r.statusCode() + "): log in again, as a viewer or "
                + "above");
        }
        if (r.statusCode() != 200)
        {
            throw new IOException(uri + " answered " + r.statusCode());
        }
        return r.body();
    }
}
