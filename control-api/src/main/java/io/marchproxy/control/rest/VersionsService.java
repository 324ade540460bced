package io.marchproxy.control.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.marchproxy.control.auth.Principal;
import io.marchproxy.control.config.ConfigDiff;
import io.marchproxy.control.model.Cluster;
import io.marchproxy.control.model.Entity;
import io.marchproxy.control.store.ChangeEvent;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.control.store.StoreState;
import io.marchproxy.control.validation.IntegerSchema;
import io.marchproxy.control.validation.ObjectSchema;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/versions}: the history of global config versions, the diff between two, and rollback. Past states
 * come through {@link PastStates}: recent ones are cached, and only one journal replay runs at a time. A rollback
 * writes one new version whose configuration equals the target's; cluster API key hashes stay as they are now, so a
 * rollback never revives a rotated key.
 */
public final class VersionsService extends ResourceService {
    static final ObjectSchema ROLLBACK = ObjectSchema.builder()
            .required("version", IntegerSchema.range(1, Long.MAX_VALUE).withExample(1))
            .build();

    static final QueryParam FROM = QueryParam.integer("from", 0, Long.MAX_VALUE).mandatory();
    static final QueryParam TO = QueryParam.integer("to", 0, Long.MAX_VALUE);

    static final ResponseSchema VERSIONS = ResponseSchema.object("Versions")
            .add("currentVersion", long.class)
            .add("items", ResponseSchema.arrayOf(event("Version")
                    .add("version", long.class)
                    .add("previousVersion", long.class)
                    .build()))
            .build();

    static final ResponseSchema DIFF = ResponseSchema.object("VersionDiff")
            .add("from", long.class)
            .add("to", long.class)
            .add("changes", ResponseSchema.arrayOf(ResponseSchema.of(ConfigDiff.Entry.class)))
            .build();

    static final ResponseSchema ROLLED_BACK = ResponseSchema.object("Rollback")
            .add("version", long.class)
            .add("rolledBackTo", long.class)
            .build();

    private final ConfigStore store;
    private final PastStates past;
    private final Clock clock;

    public VersionsService(Gate gate, ConfigStore store, PastStates past, Clock clock) {
        super(gate);
        this.store = store;
        this.past = past;
        this.clock = clock;
    }

    @Override
    public String basePath() {
        return "/api/v1/versions";
    }

    @Override
    public String tag() {
        return "versions";
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(
                new Endpoint(Method.GET, "/", "Config versions, newest first (?before=version&limit=)",
                        Access.VIEWER, null, Cursor.QUERY, 200, VERSIONS, this::list),
                new Endpoint(Method.GET, "/diff", "Differences between two versions (?from=&to=)", Access.VIEWER,
                        null, List.of(FROM, TO), 200, DIFF, this::diff),
                new Endpoint(Method.POST, "/rollback", "Make a new version equal to an earlier one",
                        Access.OPERATOR, ROLLBACK, List.of(), 201, ROLLED_BACK, this::rollback));
    }

    /** A diff or rollback may wait for a journal replay and answer 503 (Retry-After) when another one runs. */
    @Override
    public List<Integer> problems(Endpoint endpoint) {
        return endpoint.path().equals("/") ? List.of() : List.of(503);
    }

    private void list(ServerRequest req, ServerResponse res, Principal caller) {
        Cursor cursor = Requests.cursor(req);
        StoreState s = store.state();
        List<Map<String, Object>> items = store.history(
                        e -> e.changedConfig() && e.versionAfter() < cursor.before(), cursor.limit())
                .stream().map(VersionsService::summary).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("currentVersion", s.configVersion());
        body.put("items", items);
        Responses.json(res, 200, body);
    }

    /** The fields {@link #summary} writes of every journal event, versions aside. */
    static ResponseSchema.Builder event(String name) {
        return ResponseSchema.object(name)
                .add("seq", long.class)
                .add("at", Instant.class)
                .add("actor", String.class)
                .add("action", String.class)
                .add("changes", ResponseSchema.arrayOf(ResponseSchema.object("Change")
                        .add("kind", ResponseSchema.oneOf(EntityKind.all().stream().map(EntityKind::wireName)
                                .toArray(String[]::new)))
                        .add("id", String.class)
                        .add("op", ResponseSchema.oneOf("put", "delete"))
                        .build()));
    }

    static Map<String, Object> summary(ChangeEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", e.versionAfter());
        m.put("previousVersion", e.versionBefore());
        m.put("seq", e.seq());
        m.put("at", e.at().toString());
        m.put("actor", e.actor());
        m.put("action", e.action());
        m.put("changes", e.changes().stream().map(c -> Map.of("kind", c.kind().wireName(), "id", c.id(),
                "op", c.isDelete() ? "delete" : "put")).toList());
        return m;
    }

    /** {@code version} if the store has reached it, else a 422 on {@code param}. */
    private static long existing(long version, StoreState current, QueryParam param) {
        if (version > current.configVersion()) {
            throw ProblemException.unprocessable(param.name(), "no config version " + version + " yet (current is "
                    + current.configVersion() + ")");
        }
        return version;
    }

    private void diff(ServerRequest req, ServerResponse res, Principal caller) {
        StoreState current = store.state();
        long from = existing(Requests.queryLong(req, FROM).orElseThrow(), current, FROM);
        long to = existing(Requests.queryLong(req, TO).orElse(current.configVersion()), current, TO);
        List<ConfigDiff.Entry> changes = ConfigDiff.between(past.at(from, current), past.at(to, current),
                RestJson.mapper());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("from", from);
        body.put("to", to);
        body.put("changes", changes);
        Responses.json(res, 200, body);
    }

    private void rollback(ServerRequest req, ServerResponse res, Principal caller) {
        long target = Requests.body(req, ROLLBACK).get("version").longValue();
        StoreState current = store.state();
        if (target > current.configVersion()) {
            throw ProblemException.unprocessable("version", "no config version " + target);
        }
        StoreState wanted = past.at(target, current);
        store.update(caller.name(), "config.rollback", tx -> {
            Instant now = clock.instant();
            StoreState base = tx.base();
            if (base.configVersion() == target) {
                throw ProblemException.conflict("version", "version " + target + " is already current");
            }
            for (Map.Entry<EntityKind<?>, Map<String, Entity>> e : base.configEntities().entrySet()) {
                EntityKind<?> kind = e.getKey();
                Map<String, Entity> want = wanted.configEntities().get(kind);
                for (String id : e.getValue().keySet()) {
                    if (!want.containsKey(id)) {
                        tx.delete(kind, id);
                    }
                }
                for (Entity w : want.values()) {
                    Entity present = e.getValue().get(w.id());
                    if (!w.equals(present)) {
                        put(tx, kind, restore(w, present, now));
                    }
                }
            }
            return null;
        });
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", store.state().configVersion());
        body.put("rolledBackTo", target);
        Responses.json(res, 201, body);
    }

    @SuppressWarnings("unchecked")
    private static <T extends Entity> void put(io.marchproxy.control.store.Transaction tx, EntityKind<T> kind,
                                               Entity e) {
        tx.put(kind, (T) e);
    }

    /**
     * The target's content with a revision after the current one, copied with every field (secrets included: rollback
     * must restore them, not drop them). Clusters keep their current key hash; a cluster the
     * rollback brings back from deletion gets none (its old key, perhaps rotated away, must not work again): it needs
     * {@code POST /api/v1/clusters/{id}/rotate-key} before proxies can use it.
     */
    private static Entity restore(Entity wanted, Entity current, Instant now) {
        ObjectNode n = RestJson.withSecrets().valueToTree(wanted);
        n.put("revision", current == null ? wanted.revision() + 1 : current.revision() + 1);
        n.put("updatedAt", now.toString());
        if (wanted instanceof Cluster) {
            if (current instanceof Cluster c) {
                n.put("apiKeyHash", c.apiKeyHash());
            } else {
                n.putNull("apiKeyHash");
            }
        }
        try {
            return RestJson.withSecrets().treeToValue(n, wanted.getClass());
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot copy " + wanted.getClass().getSimpleName(), ex);
        }
    }
}
