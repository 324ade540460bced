package io.marchproxy.control.observe;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.StoreHealth;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

/**
 * {@code /observe/health} (store writable, journal events not yet in a snapshot; 503 when unhealthy) and
 * {@code /observe/metrics} (the control plane's Prometheus registry: request counts and latency per route, store size
 * and version, proxies by status, xDS, JVM and process metrics, {@code marchproxy_build_info}, and whatever the node
 * registers, e.g. the dataplane's figures; Prometheus text, or OpenMetrics when the scraper asks for it). Both answer
 * without credentials, like Helidon's own observe endpoints, but health then says only {@code UP} or {@code DOWN}:
 * the store check's details (its last error may name files and paths) need a credential with at least the viewer
 * role.
 */
public final class ObserveService implements HttpService {
    /** Journal events beyond a snapshot at which health reports the replay backlog as a problem. */
    static final long MAX_HEALTHY_LAG = 100_000;

    private final ConfigStore store;
    private final PrometheusRegistry registry;
    private final Predicate<ServerRequest> mayReadDetails;
    private final ExpositionFormats formats = ExpositionFormats.init();

    /**
     * @param registry       what {@code /observe/metrics} scrapes
     * @param mayReadDetails whether a request may see health details: false without credentials, true with valid
     *                       ones of a role allowed to; throws (a problem response) when credentials are invalid
     */
    public ObserveService(ConfigStore store, PrometheusRegistry registry, Predicate<ServerRequest> mayReadDetails) {
        this.store = store;
        this.registry = registry;
        this.mayReadDetails = mayReadDetails;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/health", this::health).get("/metrics", this::metrics);
    }

    private void health(ServerRequest req, ServerResponse res) {
        StoreHealth h = store.health();
        boolean up = h.writable() && h.eventsSinceSnapshot() < MAX_HEALTHY_LAG;
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("status", up ? "UP" : "DOWN");
        if (mayReadDetails.test(req)) {
            details(body, h, up);
        }
        res.status(up ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503);
        res.headers().contentType(MediaTypes.APPLICATION_JSON);
        res.send(body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void details(ObjectNode body, StoreHealth h, boolean up) {
        ObjectNode check = body.putArray("checks").addObject();
        check.put("name", "store");
        check.put("status", up ? "UP" : "DOWN");
        ObjectNode data = check.putObject("data");
        data.put("writable", h.writable());
        data.put("journalLagEvents", h.eventsSinceSnapshot());
        data.put("journalBytes", h.journalBytes());
        data.put("configVersion", store.state().configVersion());
        if (h.lastError() != null) {
            data.put("lastError", h.lastError());
        }
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        ExpositionFormatWriter writer = formats.findWriter(req.headers().first(HeaderNames.ACCEPT).orElse(null));
        ByteArrayOutputStream out = new ByteArrayOutputStream(16384);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
        }
        res.header(HeaderNames.CONTENT_TYPE, writer.getContentType());
        res.send(out.toByteArray());
    }
}
