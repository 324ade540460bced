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
import io.marchproxy.control.config.ResolvedConfig;
import io.marchproxy.control.model.Cluster;
import io.marchproxy.control.model.ProxyNode;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.control.store.StoreState;

import java.util.List;

/**
 * {@code GET /api/v1/config/{cluster}}: a cluster's resolved config for its proxies, authenticated by the cluster API
 * key. {@code {cluster}} is the cluster's id or name. {@code ?version=N} returns an earlier version (rebuilt through
 * {@link PastStates}, so possibly a 503 while another is being rebuilt). The ETag is the
 * content hash, so a polling proxy sending {@code If-None-Match} gets 304 until something changes. A proxy that sends
 * {@code X-Proxy-Id} has the fetched version recorded.
 */
public final class ConfigService extends ResourceService {
    private static final QueryParam VERSION = QueryParam.integer("version", 1, Long.MAX_VALUE);
    public static final HeaderName PROXY_ID = HeaderNames.create("X-Proxy-Id");

    private final ConfigStore store;
    private final ConfigResolver resolver;
    private final ProxyLiveness liveness;
    private final PastStates past;

    public ConfigService(Gate gate, ConfigStore store, ConfigResolver resolver, ProxyLiveness liveness,
                         PastStates past) {
        super(gate);
        this.store = store;
        this.resolver = resolver;
        this.liveness = liveness;
        this.past = past;
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
        return List.of(new Endpoint(Method.GET, "/{cluster}", "Resolved config of a cluster (cluster API key)",
                Access.CLUSTER_KEY, null, List.of(VERSION), 200, ResponseSchema.withSecrets(ResolvedConfig.class),
                this::config));
    }

    /** A past version ({@code ?version=}) may wait for a journal replay and answer 503 (Retry-After). */
    @Override
    public List<Integer> problems(Endpoint endpoint) {
        return List.of(503);
    }

    private void config(ServerRequest req, ServerResponse res, Principal none) {
        Cluster keyCluster = gate().cluster(req);
        String ref = Requests.pathParam(req, "cluster");
        if (!ref.equals(keyCluster.id()) && !ref.equals(keyCluster.name())) {
            throw ProblemException.forbidden("the cluster API key is for cluster " + keyCluster.name());
        }
        StoreState current = store.state();
        long version = Requests.queryLong(req, VERSION).orElse(current.configVersion());
        if (version > current.configVersion()) {
            throw ProblemException.notFound("config version", Long.toString(version));
        }
        StoreState state = past.at(version, current);
        Cluster cluster = state.get(EntityKind.CLUSTER, keyCluster.id())
                .orElseThrow(() -> ProblemException.notFound("cluster at version " + version, keyCluster.id()));
        ResolvedConfig config = resolver.resolve(state, cluster);
        req.headers().first(PROXY_ID).flatMap(id -> current.get(EntityKind.PROXY, id))
                .filter(p -> p.clusterId().equals(keyCluster.id()))
                .map(ProxyNode::id)
                .ifPresent(id -> liveness.fetched(id, config.version()));
        String etag = "\"" + config.hash() + "\"";
        res.header(HeaderNames.ETAG, etag);
        if (req.headers().first(HeaderNames.IF_NONE_MATCH).map(etag::equals).orElse(false)) {
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
}
