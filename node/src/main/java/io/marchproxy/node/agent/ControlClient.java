package io.marchproxy.node.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marchproxy.control.config.ResolvedConfig;
import io.marchproxy.control.model.ModelJson;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An agent's side of the control plane's REST API ({@code java.net.http} and Jackson, nothing of the server): register
 * as a proxy of the key's cluster, fetch or long-poll the cluster's resolved configuration, heartbeat. Every call
 * carries the cluster key in {@code X-Cluster-Key}; no message this class makes contains it. A refusal (4xx) is a
 * {@link ControlRefusedException} with the problem's detail; a transport failure or a 5xx is an {@link IOException}.
 * Over {@code https://} it trusts the CA certificates of {@code caFile}, or the JDK's when none is given. Any thread.
 */
public final class ControlClient implements AutoCloseable
{
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    /** How long past the requested wait a long poll may take before the agent gives up on it. */
    private static final Duration POLL_GRACE = Duration.ofSeconds(15);
    private static final String USER_AGENT = "marchproxy-agent/" + version();

    /** What registering answered. */
    public record Registration(String proxyId, boolean created)
    {
    }

    private final URI base;
    private final HttpClient http;
    private final ObjectMapper json = ModelJson.newMapper()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES); // a newer control plane may add fields

    private ControlClient(final URI base, final HttpClient http)
    {
        this.base = base;
        this.http = http;
    }

    /** A client of the control plane at {@code base} ({@code http://} or {@code https://}; caFile may be null). */
    public static ControlClient create(final URI base, final Path caFile) throws IOException, GeneralSecurityException
    {
        if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme()) || base.getHost() == null)
        {
            throw new IllegalArgumentException("--control needs an http:// or https:// URL, not " + base);
        }
        if (caFile != null && !"https".equals(base.getScheme()))
        {
            throw new IllegalArgumentException("--ca is for an https:// control plane, not " + base);
        }
        final HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER);
        if (caFile != null)
        {
            b.sslContext(trusting(caFile));
        }
        final String path = base.getPath() == null ? "" : base.getPath().replaceAll("/+$", "");
        return new ControlClient(base.resolve(path.isEmpty() ? "/" : path + "/"), b.build());
    }

    /** An SSL context that trusts exactly the CA certificates in {@code pemFile}. */
    private static SSLContext trusting(final Path pemFile) throws IOException, GeneralSecurityException
    {
        final KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        final Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(pemFile))
        {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certs.isEmpty())
        {
            throw new IllegalArgumentException("--ca " + pemFile + " holds no PEM certificate");
        }
        int i = 0;
        for (final Certificate c : certs)
        {
            trust.setCertificateEntry("ca" + i++, c);
        }
        final TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        final SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** Registers (or re-registers, keeping the slot) the proxy {@code name} in the key's cluster. */
    public Registration register(final String key, final String name, final String hostname, final String address,
        final List<String> capabilities) throws IOException, ControlRefusedException, InterruptedException
    {
        final ObjectNode body = json.createObjectNode().put("name", name).put("hostname", hostname)
            .put("address", address).put("version", version());
        capabilities.forEach(body.putArray("capabilities")::add);
        final HttpResponse<byte[]> r = send(post("api/v1/proxies/register", key, body).timeout(CALL_TIMEOUT));
        final JsonNode answer = ok(r);
        return new Registration(answer.path("id").asText(), r.statusCode() == 201);
    }

    /**
     * The cluster's configuration: at once when {@code after} is negative; otherwise a long poll that answers once it
     * changed after version {@code after}, or empty when nothing changed within {@code wait}.
     */
    public Optional<ResolvedConfig> config(final String key, final String clusterId, final long after,
        final Duration wait) throws IOException, ControlRefusedException, InterruptedException
    {
        final String query = after < 0 ? "" : "?after=" + after + "&wait=" + wait.toSeconds();
        final HttpResponse<byte[]> r = send(request("api/v1/config/" + clusterId + query, key)
            .timeout(after < 0 ? CALL_TIMEOUT : wait.plus(POLL_GRACE)).GET());
        if (r.statusCode() == 304)
        {
            return Optional.empty();
        }
        check(r);
        try
        {
            return Optional.of(json.readValue(r.body(), ResolvedConfig.class));
        }
        catch (final JsonProcessingException ex)
        {
            throw new IOException("the control plane sent a configuration this agent cannot read: "
                + ex.getOriginalMessage(), ex);
        }
    }

    /** Reports liveness: the version served, metrics and problems; answers whether the cluster changed since. */
    public boolean heartbeat(final String key, final String proxyId, final long servedVersion,
        final Map<String, Long> metrics, final List<String> problems)
        throws IOException, ControlRefusedException, InterruptedException
    {
        final ObjectNode body = json.createObjectNode();
        if (servedVersion >= 0)
        {
            body.put("configVersion", servedVersion);
        }
        final ObjectNode m = body.putObject("metrics");
        metrics.forEach(m::put);
        problems.forEach(body.putArray("problems")::add);
        return ok(send(post("api/v1/proxies/" + proxyId + "/heartbeat", key, body).timeout(CALL_TIMEOUT)))
            .path("configChanged").asBoolean();
    }

    private HttpRequest.Builder request(final String path, final String key)
    {
        return HttpRequest.newBuilder(base.resolve(path)).header("X-Cluster-Key", key)
            .header("Accept", "application/json").header("User-Agent", USER_AGENT);
    }

    private HttpRequest.Builder post(final String path, final String key, final JsonNode body) throws IOException
    {
        return request(path, key).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
    }

    private HttpResponse<byte[]> send(final HttpRequest.Builder request) throws IOException, InterruptedException
    {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private JsonNode ok(final HttpResponse<byte[]> r) throws IOException, ControlRefusedException
    {
        check(r);
        return json.readTree(r.body());
    }

    /** A 4xx is a refusal with the problem's detail; a 5xx or any other unexpected status a failure to retry. */
    private void check(final HttpResponse<byte[]> r) throws IOException, ControlRefusedException
    {
        final int status = r.statusCode();
        if (status >= 200 && status < 300)
        {
            return;
        }
        String detail = "";
        try
        {
            detail = json.readTree(r.body()).path("detail").asText("");
        }
        catch (final IOException ignored)
        {
            // not a problem body: the status says enough
        }
        if (status >= 400 && status < 500)
        {
            throw new ControlRefusedException(status, detail.isEmpty() ? "refused" : detail);
        }
        throw new IOException("the control plane answered " + status + (detail.isEmpty() ? "" : ": " + detail));
    }

    /** The agent's version as its jar says, "dev" from classes. */
    static String version()
    {
        final String v = ControlClient.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public void close()
    {
        http.shutdownNow();
    }
}
