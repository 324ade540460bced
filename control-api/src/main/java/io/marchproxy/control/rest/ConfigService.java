package io.marchproxy.control.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.marchproxy.control.auth.Principal;
import io.marchproxy.control.config.ConfigResolver;
import io.marchproxy.control.config.ConfigWatch;
import io.marchproxy.control.config.ResolvedConfig;
import io.marchproxy.control.model.Cluster;
import io.marchproxy.control.model.ProxyNode;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.control.store.StoreState;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /api/v1/config/{cluster}}: a cluster's resolved config for its proxies, authenticated by the cluster API
 * key. {@code {cluster}} is the cluster's id or name. {@code ?version=N} returns an earlier version (rebuilt through
 * {@link PastStates}, so possibly a 503 while another is being rebuilt). The ETag is the content hash, so a proxy
 * sending {@code If-None-Match} gets 304 until something changes. A proxy that sends {@code X-Proxy-Id} has the
 * fetched version recorded.
 *
 * <p>{@code ?after=N&wait=S} is a long poll: the current config as soon as the cluster's config changed after version
 * N ({@link ConfigWatch}; at once if it already has, or when N is newer than anything this control plane has, as
 * after a restore), else the request is held up to S seconds (default {@value #DEFAULT_WAIT_SECONDS}, at most
 * {@value #MAX_WAIT_SECONDS}) and answered 304 if nothing changed. The key is checked again when the wait ends, so a
 * rotated key stops a held request too. At most {@code maxWaiters} requests wait at once (503 beyond).
 */
public final class ConfigService extends ResourceService {
    static final int DEFAULT_WAIT_SECONDS = 30;
    static final int MAX_WAIT_SECONDS = 60;
    private static final QueryParam VERSION = QueryParam.integer("version", 1, Long.MAX_VALUE)
            .describedAs("An earlier version of the configuration (not with after)");
    private static final QueryParam AFTER = QueryParam.integer("after", 0, Long.MAX_VALUE)
            .describedAs("Long poll: answer with the current configuration once the cluster's configuration has "
                    + "changed after this version (at once if it already has, or if this version is newer than the "
                    + "current one); 304 when nothing changed within wait");
    private static final QueryParam WAIT = QueryParam.integer("wait", 0, MAX_WAIT_SECONDS)
            .describedAs("With after: seconds to hold the request for a change (default " + DEFAULT_WAIT_SECONDS
                    + "); 0 answers at once; ignored without after");
    public static final HeaderName PROXY_ID = HeaderNames.create("X-Proxy-Id");

    private final ConfigStore store;
    private final ConfigResolver resolver;
    private final ProxyLiveness liveness;
    private final PastStates past;
    private final ConfigWatch watch;

    public ConfigService(Gate gate, ConfigStore store, ConfigResolver resolver, ProxyLiveness liveness,
                         PastStates past, ConfigWatch watch) {
        super(gate);
        this.store = store;
        this.resolver = resolver;
        this.liveness = liveness;
        this.past = past;
        this.watch = watch;
    }

    @Override
    public String basePath() {
        return "/api/v1/config";
    }

    @Override
    public String tag() {
        return "config";
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(new Endpoint(Method.GET, "/{cluster}", "Resolved config of a cluster (cluster API key); "
                + "?after=N&wait=S waits for a newer one", Access.CLUSTER_KEY, null, List.of(VERSION, AFTER, WAIT),
                200, ResponseSchema.withSecrets(ResolvedConfig.class), this::config));
    }

    /**
     * A past version ({@code ?version=}) may wait for a journal replay, and a long poll finds every waiting place
     * taken or the server stopping: 503 (Retry-After).
     */
    @Override
    public List<Integer> problems(Endpoint endpoint) {
        return List.of(503);
    }

    /** Unchanged content ({@code If-None-Match}) and a long poll that saw no change are 304. */
    @Override
    public boolean notModified(Endpoint endpoint) {
        return true;
    }

    private void config(ServerRequest req, ServerResponse res, Principal none) {
        Cluster keyCluster = keyCluster(req);
        Optional<Long> after = Requests.queryLong(req, AFTER);
        Optional<Long> asked = Requests.queryLong(req, VERSION);
        if (after.isPresent() && asked.isPresent()) {
            throw ProblemException.unprocessable("after", "a long poll follows the current version: leave out "
                    + "version");
        }
        if (after.isPresent()) {
            long wait = Requests.queryLong(req, WAIT).orElse((long) DEFAULT_WAIT_SECONDS);
            if (after.get() <= store.state().configVersion()) {
                ConfigWatch.Outcome outcome = await(keyCluster.id(), after.get(), Duration.ofSeconds(wait));
                // The key again: rotated, or its cluster deleted or deactivated, while the request waited.
                keyCluster = keyCluster(req);
                switch (outcome) {
                    case CHANGED -> { }
                    case TIMED_OUT -> {
                        res.header(HeaderNames.ETAG, etag(resolver.resolve(store.state(), keyCluster).hash()));
                        res.status(Status.NOT_MODIFIED_304);
                        res.send();
                        return;
                    }
                    case BUSY -> throw ProblemException.busy("too many proxies are waiting for a change; retry");
                    case CLOSED -> throw ProblemException.busy("the control plane is stopping; retry");
                }
            }
        }
        StoreState current = store.state();
        long version = asked.orElse(current.configVersion());
        if (version > current.configVersion()) {
            throw ProblemException.notFound("config version", Long.toString(version));
        }
        StoreState state = past.at(version, current);
        String clusterId = keyCluster.id();
        Cluster cluster = state.get(EntityKind.CLUSTER, clusterId)
                .orElseThrow(() -> ProblemException.notFound("cluster at version " + version, clusterId));
        ResolvedConfig config = resolver.resolve(state, cluster);
        req.headers().first(PROXY_ID).flatMap(id -> current.get(EntityKind.PROXY, id))
                .filter(p -> p.clusterId().equals(clusterId))
                .map(ProxyNode::id)
                .ifPresent(id -> liveness.fetched(id, config.version()));
        String etag = etag(config.hash());
        res.header(HeaderNames.ETAG, etag);
        if (after.isEmpty() && req.headers().first(HeaderNames.IF_NONE_MATCH).map(etag::equals).orElse(false)) {
            res.status(Status.NOT_MODIFIED_304);
            res.send();
            return;
        }
        try {
            Responses.jsonBytes(res, 200, RestJson.withSecrets().writeValueAsBytes(config));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise resolved config", e);
        }
    }

    private ConfigWatch.Outcome await(String clusterId, long after, Duration wait) {
        try {
            return watch.await(clusterId, after, wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ProblemException.busy("the control plane is stopping; retry");
        }
    }

    /** The cluster of the presented key, which must be the one the path names. */
    private Cluster keyCluster(ServerRequest req) {
        Cluster keyCluster = gate().cluster(req);
        String ref = Requests.pathParam(req, "cluster");
        if (!ref.equals(keyCluster.id()) && !ref.equals(keyCluster.name())) {
            throw ProblemException.forbidden("the cluster API key is for cluster " + keyCluster.name());
        }
        return keyCluster;
    }

    private static String etag(String hash) {
        return "\"" + hash + "\"";
    }
}
