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
import io.marchproxy.control.model.ProxyNode;
import io.marchproxy.control.model.ProxyStatus;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.control.store.StoreHealth;
import io.marchproxy.control.store.StoreState;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * {@code /observe/health} (store writable, journal events not yet in a snapshot; 503 when unhealthy) and
 * {@code /observe/metrics} (Prometheus text: request counts and latency per route, store size and version, proxies
 * by status). Both answer without credentials, like Helidon's own observe endpoints, but health then says only
 * {@code UP} or {@code DOWN}: the store check's details (its last error may name files and paths) need a credential
 * with at least the viewer role.
 */
public final class ObserveService implements HttpService {
    /** Journal events beyond a snapshot at which health reports the replay backlog as a problem. */
    static final long MAX_HEALTHY_LAG = 100_000;

    private final ConfigStore store;
    private final RequestMetrics requests;
    private final Function<ProxyNode, ProxyStatus> statusOf;
    private final Predicate<ServerRequest> mayReadDetails;
    private final Consumer<StringBuilder> moreMetrics;

    /**
     * @param statusOf       a proxy's status now, derived from its heartbeats
     * @param mayReadDetails whether a request may see health details: false without credentials, true with valid
     *                       ones of a role allowed to; throws (a problem response) when credentials are invalid
     * @param moreMetrics    appends further Prometheus text (the xDS server's) to every scrape
     */
    public ObserveService(ConfigStore store, RequestMetrics requests, Function<ProxyNode, ProxyStatus> statusOf,
                          Predicate<ServerRequest> mayReadDetails, Consumer<StringBuilder> moreMetrics) {
        this.store = store;
        this.requests = requests;
        this.statusOf = statusOf;
        this.mayReadDetails = mayReadDetails;
        this.moreMetrics = moreMetrics;
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
        StringBuilder out = new StringBuilder(8192);
        requests.writeTo(out);
        StoreState s = store.state();
        StoreHealth h = store.health();
        for (EntityKind<?> kind : EntityKind.all()) {
            PrometheusText.gauge(out, "marchproxy_store_entities", "Stored entities by kind.",
                    "kind=\"" + kind.wireName() + "\"", s.count(kind));
        }
        PrometheusText.gauge(out, "marchproxy_store_config_version", "Current global config version.", "",
                s.configVersion());
        PrometheusText.gauge(out, "marchproxy_store_journal_events", "Events in the journal.", "", s.seq());
        PrometheusText.gauge(out, "marchproxy_store_journal_bytes", "Journal size on disk.", "", h.journalBytes());
        PrometheusText.gauge(out, "marchproxy_store_journal_lag_events",
                "Journal events not yet covered by a snapshot (replayed on restart).", "", h.eventsSinceSnapshot());
        PrometheusText.gauge(out, "marchproxy_store_writable", "1 if the store accepts writes.", "",
                h.writable() ? 1 : 0);
        Map<ProxyStatus, Integer> byStatus = new EnumMap<>(ProxyStatus.class);
        for (ProxyStatus st : ProxyStatus.values()) {
            byStatus.put(st, 0);
        }
        for (ProxyNode p : s.list(EntityKind.PROXY)) {
            byStatus.merge(statusOf.apply(p), 1, Integer::sum);
        }
        byStatus.forEach((st, n) -> PrometheusText.gauge(out, "marchproxy_proxies", "Proxies by status.",
                "status=\"" + st.wireName() + "\"", n));
        moreMetrics.accept(out);
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        res.send(out.toString().getBytes(StandardCharsets.UTF_8));
    }
}
