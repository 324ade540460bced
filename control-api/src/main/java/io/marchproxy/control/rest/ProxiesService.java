package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.marchproxy.control.auth.Principal;
import io.marchproxy.control.config.ConfigWatch;
import io.marchproxy.control.licence.Licence;
import io.marchproxy.control.model.Cluster;
import io.marchproxy.control.model.ProxyNode;
import io.marchproxy.control.model.ProxyStatus;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.control.validation.ArraySchema;
import io.marchproxy.control.validation.IntegerSchema;
import io.marchproxy.control.validation.ObjectSchema;
import io.marchproxy.control.validation.StringSchema;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * {@code /api/v1/proxies}. Proxies register and heartbeat with their cluster API key; registering again under the
 * same name updates the node rather than taking another slot. A new node is refused once the cluster holds
 * {@code min(cluster maxProxies, licence maxProxies)} nodes or all clusters together hold the licence's maximum.
 * A heartbeat carries the config version the proxy serves, its metrics and its problems; the view derives its status,
 * its health (ok, degraded, unknown) and whether it serves its cluster's latest config ({@link ConfigWatch}).
 * Operators list, inspect and delete nodes (deleting frees a slot).
 */
public final class ProxiesService extends ResourceService {
    static final List<String> METRICS = List.of("rxPackets", "txPackets", "rxBytes", "txBytes", "drops",
            "activeConnections", "cpuPercent", "memoryBytes", "connectionsOpened", "accessDenied");
    /** Most problems a heartbeat may report, and the longest each may be. */
    static final int MAX_PROBLEMS = 16;
    static final int MAX_PROBLEM_LENGTH = 300;

    static final ObjectSchema REGISTER = ObjectSchema.builder()
            .required("name", Schemas.name("edge-1"))
            .required("hostname", Schemas.address("edge-1.example.net"))
            .required("address", Schemas.address("192.0.2.10"))
            .optional("version", StringSchema.of(1, 64, "0.1.0"), "unknown")
            .optional("capabilities", new ArraySchema(StringSchema.of(1, 64, "af_xdp")
                    .pattern("^[a-z0-9_.-]+$"), 0, 64), null)
            .build();

    static final ObjectSchema HEARTBEAT;

    static {
        ObjectSchema.Builder metrics = ObjectSchema.builder();
        for (String m : METRICS) {
            metrics.optional(m, IntegerSchema.range(0, Long.MAX_VALUE), null);
        }
        HEARTBEAT = ObjectSchema.builder()
                .optional("configVersion", IntegerSchema.range(0, Long.MAX_VALUE), null,
                        "The config version the proxy serves (applied, not only fetched)")
                .optional("metrics", metrics.build(), null)
                .optional("problems", new ArraySchema(StringSchema.of(1, MAX_PROBLEM_LENGTH,
                        "service dns: backend 10.0.0.7 is not an IP address"), 0, MAX_PROBLEMS), null,
                        "What the proxy cannot do now, in words for an operator; empty or absent: it is healthy")
                .build();
    }

    /** A node as {@link #view} writes it. */
    static final ResponseSchema PROXY = view("Proxy").build();
    static final ResponseSchema REGISTERED = view("ProxyRegistration")
            .add("configVersion", ResponseSchema.of(long.class), "The current global config version.")
            .build();
    static final ResponseSchema BEAT = ResponseSchema.object("HeartbeatReply")
            .add("status", ProxyStatus.class)
            .add("configVersion", ResponseSchema.of(long.class), "The current global config version.")
            .add("configChanged", ResponseSchema.of(boolean.class), "Whether the cluster's config changed after "
                    + "the version the proxy serves: it should fetch.")
            .build();

    private final ConfigStore store;
    private final Licensing licensing;
    private final ProxyLiveness liveness;
    private final ConfigWatch watch;
    private final Clock clock;
    private final List<ListFilter<ProxyNode>> filters;

    public ProxiesService(Gate gate, ConfigStore store, Licensing licensing, ProxyLiveness liveness,
                          ConfigWatch watch, Clock clock) {
        super(gate);
        this.store = store;
        this.licensing = licensing;
        this.liveness = liveness;
        this.watch = watch;
        this.clock = clock;
        this.filters = List.of(
                ListFilter.text("clusterId", ProxyNode::clusterId),
                ListFilter.text("status", p -> liveness.status(p).wireName()),
                ListFilter.text("name", ProxyNode::name));
    }

    @Override
    public String basePath() {
        return "/api/v1/proxies";
    }

    @Override
    public String tag() {
        return "proxies";
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(
                new Endpoint(Method.POST, "/register", "Register (or re-register) a proxy node", Access.CLUSTER_KEY,
                        REGISTER, List.of(), 201, REGISTERED, this::register),
                new Endpoint(Method.POST, "/{id}/heartbeat", "Report liveness and metrics", Access.CLUSTER_KEY,
                        HEARTBEAT, List.of(), 200, BEAT, this::heartbeat),
                new Endpoint(Method.GET, "/", "List proxies (paged, filtered)", Access.VIEWER, null,
                        ListFilter.query(filters), 200,
                        ResponseSchema.page(PROXY), this::list),
                new Endpoint(Method.GET, "/{id}", "Get a proxy", Access.VIEWER, null, List.of(), 200, PROXY,
                        this::read),
                new Endpoint(Method.DELETE, "/{id}", "Delete a proxy, freeing its licence slot", Access.OPERATOR,
                        null, List.of(), 204, null, this::delete));
    }

    /** Registering again under a name the cluster already has updates that proxy: 200 instead of 201. */
    @Override
    public List<Integer> otherSuccesses(Endpoint endpoint) {
        return endpoint.path().equals("/register") ? List.of(200) : List.of();
    }

    private void register(ServerRequest req, ServerResponse res, Principal none) {
        Cluster cluster = gate().cluster(req);
        ObjectNode b = Requests.body(req, REGISTER);
        String name = b.get("name").textValue();
        List<String> caps = new ArrayList<>();
        b.path("capabilities").forEach(c -> caps.add(c.textValue()));
        boolean[] created = new boolean[1];
        ProxyNode node = store.update("cluster:" + cluster.name(), "proxy.register", tx -> {
            Instant now = clock.instant();
            Optional<ProxyNode> existing = tx.findByKey(EntityKind.PROXY, cluster.id() + '/' + name);
            if (existing.isEmpty()) {
                Licence licence = licensing.current(tx.base());
                List<ProxyNode> all = tx.list(EntityKind.PROXY);
                long inCluster = all.stream().filter(p -> p.clusterId().equals(cluster.id())).count();
                int clusterLimit = Math.min(cluster.maxProxies(), licence.maxProxies());
                if (inCluster >= clusterLimit) {
                    throw ProblemException.conflict(cluster.maxProxies() <= licence.maxProxies()
                                    ? "cluster.maxProxies" : "licence.maxProxies",
                            "cluster " + cluster.name() + " already has " + inCluster + " proxies; the limit is "
                                    + clusterLimit + " (cluster max " + cluster.maxProxies() + ", "
                                    + licence.tier() + " licence max " + licence.maxProxies() + ")");
                }
                if (all.size() >= licence.maxProxies()) {
                    throw ProblemException.conflict("licence.maxProxies", all.size() + " proxies are registered; "
                            + "the " + licence.tier() + " licence allows " + licence.maxProxies());
                }
            }
            created[0] = existing.isEmpty();
            ProxyNode prev = existing.orElse(null);
            return tx.put(EntityKind.PROXY, new ProxyNode(prev == null ? UUID.randomUUID().toString() : prev.id(),
                    name, b.get("hostname").textValue(), b.get("address").textValue(), cluster.id(),
                    b.get("version").textValue(), caps, now,
                    prev == null ? 0 : prev.lastConfigVersion(), prev == null ? 1 : prev.revision() + 1,
                    prev == null ? now : prev.createdAt(), now));
        });
        Map<String, Object> body = view(node);
        body.put("configVersion", store.state().configVersion());
        Responses.entity(res, created[0] ? 201 : 200, node, body);
    }

    private void heartbeat(ServerRequest req, ServerResponse res, Principal none) {
        Cluster cluster = gate().cluster(req);
        String id = Requests.pathParam(req, "id");
        ProxyNode node = store.state().get(EntityKind.PROXY, id)
                .filter(p -> p.clusterId().equals(cluster.id()))
                .orElseThrow(() -> ProblemException.notFound("proxy in cluster " + cluster.name(), id));
        ObjectNode b = Requests.body(req, HEARTBEAT);
        Map<String, Long> metrics = new LinkedHashMap<>();
        JsonNode m = b.path("metrics");
        for (String name : METRICS) {
            if (m.hasNonNull(name)) {
                metrics.put(name, m.get(name).longValue());
            }
        }
        List<String> problems = new ArrayList<>();
        b.path("problems").forEach(p -> problems.add(p.textValue()));
        long serving = b.hasNonNull("configVersion") ? b.get("configVersion").longValue()
                : liveness.live(node).lastConfigVersion();
        liveness.beat(id, serving, metrics, problems);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ProxyStatus.ACTIVE.wireName());
        body.put("configVersion", store.state().configVersion());
        body.put("configChanged", watch.lastChange(cluster.id()) > serving);
        Responses.json(res, 200, body);
    }

    private void list(ServerRequest req, ServerResponse res, Principal caller) {
        Paging paging = Requests.paging(req);
        Predicate<ProxyNode> selected = ListFilter.selecting(filters, req);
        List<Object> out = new ArrayList<>();
        for (ProxyNode p : store.state().list(EntityKind.PROXY)) {
            if (selected.test(p)) {
                out.add(view(p));
            }
        }
        Responses.json(res, 200, Page.of(out, paging));
    }

    private void read(ServerRequest req, ServerResponse res, Principal caller) {
        String id = Requests.pathParam(req, "id");
        ProxyNode p = store.state().get(EntityKind.PROXY, id)
                .orElseThrow(() -> ProblemException.notFound("proxy", id));
        Responses.entity(res, 200, p, view(p));
    }

    private void delete(ServerRequest req, ServerResponse res, Principal caller) {
        String id = Requests.pathParam(req, "id");
        store.update(caller.name(), "proxy.delete", tx -> {
            ProxyNode p = tx.get(EntityKind.PROXY, id).orElseThrow(() -> ProblemException.notFound("proxy", id));
            Requests.checkIfMatch(req, p.revision());
            tx.delete(EntityKind.PROXY, id);
            return null;
        });
        liveness.forget(id);
        Responses.noContent(res);
    }

    private static ResponseSchema.Builder view(String name) {
        return ResponseSchema.object(name).from(ProxyNode.class)
                .add("status", ResponseSchema.of(ProxyStatus.class), "Derived from the last heartbeat when read.")
                .add("metrics", ResponseSchema.mapOf(ResponseSchema.of(long.class)),
                        "The last heartbeat's metrics by name; empty before the first.")
                .add("health", ResponseSchema.oneOf("unknown", "ok", "degraded"), "What the last heartbeat "
                        + "said: ok, degraded (see problems), unknown before the first since the control plane "
                        + "started.")
                .add("problems", ResponseSchema.arrayOf(ResponseSchema.string()), "The problems the last "
                        + "heartbeat reported.")
                .add("configCurrent", ResponseSchema.of(boolean.class), "Whether lastConfigVersion holds the "
                        + "cluster's latest config: false while a change is on its way to the proxy.");
    }

    /** The node as stored, with liveness merged in and its derived status after {@code clusterId}. */
    private Map<String, Object> view(ProxyNode p) {
        Map<String, Object> body = new LinkedHashMap<>();
        ProxyNode live = liveness.live(p);
        RestJson.tree(live).properties().forEach(e -> {
            body.put(e.getKey(), e.getValue());
            if (e.getKey().equals("clusterId")) {
                body.put("status", liveness.status(p).wireName());
            }
        });
        body.put("metrics", liveness.metrics(p.id()));
        List<String> problems = liveness.problems(p.id());
        body.put("health", problems == null ? "unknown" : problems.isEmpty() ? "ok" : "degraded");
        body.put("problems", problems == null ? List.of() : problems);
        body.put("configCurrent", live.lastConfigVersion() >= watch.lastChange(p.clusterId()));
        return body;
    }
}
