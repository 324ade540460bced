package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.marchproxy.control.auth.ClusterKeys;
import io.marchproxy.control.auth.Principal;
import io.marchproxy.control.model.AccessAction;
import io.marchproxy.control.model.Cluster;
import io.marchproxy.control.model.ClusterScoped;
import io.marchproxy.control.model.LoggingSwitches;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.control.store.Transaction;
import io.marchproxy.control.validation.IntegerSchema;
import io.marchproxy.control.validation.ObjectSchema;
import io.marchproxy.control.validation.StringSchema;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/clusters}. The cluster API key is generated on create and on {@code POST /{id}/rotate-key}, returned
 * in that one response as {@code apiKey}, and stored only as its hash. At most one cluster is the default: making one
 * the default clears the flag on the others in the same change. {@code defaultPolicy} decides connections no mapping
 * decides; a new cluster denies them unless told otherwise.
 */
public final class ClustersService extends CrudService<Cluster, Void> {
    static final ObjectSchema SCHEMA = ObjectSchema.builder()
            .required("name", Schemas.name("prod"))
            .optional("description", Schemas.text(1024), "")
            .optional("active", Schemas.bool(), true)
            .optional("defaultCluster", Schemas.bool(), false)
            .optional("maxProxies", IntegerSchema.range(1, 100_000).withExample(3), 3)
            .optional("syslogEndpoint", StringSchema.of(3, 261, "syslog.local:514")
                    .rule(ClustersService::isHostPort, "must be host:port with port 1-65535"), null)
            .optional("logging", ObjectSchema.builder()
                    .optional("auth", Schemas.bool(), false)
                    .optional("netflow", Schemas.bool(), false)
                    .optional("debug", Schemas.bool(), false)
                    .build(), null)
            .optional("defaultPolicy", StringSchema.oneOf("deny", "allow"), "deny",
                    "What happens to a connection no mapping decides. A service that an allow mapping names admits "
                            + "only what mappings admit either way. Clusters stored before this field existed read as "
                            + "allow")
            .build();

    /** Create and rotate-key answer with the cluster and, this once, its API key. */
    static final ResponseSchema WITH_KEY = ResponseSchema.object("ClusterWithApiKey").from(Cluster.class, SCHEMA)
            .add("apiKey", ResponseSchema.string(), "The cluster API key in clear: returned by create and "
                    + "rotate-key only, stored as a hash, never shown again.")
            .build();

    private final ClusterKeys keys = new ClusterKeys();

    public ClustersService(Gate gate, ConfigStore store, Clock clock) {
        super(gate, store, EntityKind.CLUSTER, clock);
    }

    @Override
    public String basePath() {
        return "/api/v1/clusters";
    }

    @Override
    public String tag() {
        return "clusters";
    }

    @Override
    protected ObjectSchema schema() {
        return SCHEMA;
    }

    @Override
    protected List<ListFilter<Cluster>> filters() {
        return List.of(
                ListFilter.text("name", Cluster::name),
                ListFilter.flag("active", Cluster::active));
    }

    @Override
    protected List<Endpoint> extraEndpoints() {
        return List.of(new Endpoint(Method.POST, "/{id}/rotate-key",
                "Replace the cluster API key; the new key is returned once", Access.ADMIN, null, List.of(), 200,
                WITH_KEY, this::rotateKey));
    }

    @Override
    protected ResponseSchema createdSchema() {
        return WITH_KEY;
    }

    @Override
    protected void create(ServerRequest req, ServerResponse res, Principal caller) {
        ObjectNode body = Requests.body(req, SCHEMA);
        Meta meta = Meta.create(clock.instant());
        String apiKey = keys.generate(meta.id());
        Cluster created = store.update(caller.name(), "cluster.create", tx -> {
            Cluster c = build(body, null, tx, null, meta);
            return tx.put(kind, c.withApiKeyHash(ClusterKeys.hash(apiKey), c.revision(), c.updatedAt()));
        });
        res.header(HeaderNames.LOCATION, basePath() + "/" + created.id());
        Responses.entity(res, 201, created, withKey(created, apiKey));
    }

    private void rotateKey(ServerRequest req, ServerResponse res, Principal caller) {
        String id = Requests.pathParam(req, "id");
        String apiKey = keys.generate(id);
        Cluster rotated = store.update(caller.name(), "cluster.rotate-key", tx -> {
            Cluster c = tx.get(kind, id).orElseThrow(() -> ProblemException.notFound("cluster", id));
            Requests.checkIfMatch(req, c.revision());
            return tx.put(kind, c.withApiKeyHash(ClusterKeys.hash(apiKey), c.revision() + 1, clock.instant()));
        });
        Responses.entity(res, 200, rotated, withKey(rotated, apiKey));
    }

    private static Map<String, Object> withKey(Cluster c, String apiKey) {
        Map<String, Object> body = new LinkedHashMap<>();
        RestJson.tree(c).properties().forEach(e -> body.put(e.getKey(), e.getValue()));
        body.put("apiKey", apiKey);
        return body;
    }

    @Override
    protected Cluster build(ObjectNode b, Void none, Transaction tx, Cluster existing, Meta meta) {
        String name = b.get("name").textValue();
        requireUnique(tx, "name", name, meta);
        boolean isDefault = b.get("defaultCluster").booleanValue();
        if (isDefault) {
            for (Cluster other : tx.list(kind)) {
                if (other.defaultCluster() && !other.id().equals(meta.id())) {
                    tx.put(kind, other.withDefaultCluster(false, other.revision() + 1, meta.updatedAt()));
                }
            }
        }
        JsonNode logging = b.path("logging");
        return new Cluster(meta.id(), name, b.get("description").textValue(), b.get("active").booleanValue(),
                isDefault, b.get("maxProxies").intValue(),
                b.hasNonNull("syslogEndpoint") ? b.get("syslogEndpoint").textValue() : null,
                new LoggingSwitches(logging.path("auth").asBoolean(false), logging.path("netflow").asBoolean(false),
                        logging.path("debug").asBoolean(false)),
                AccessAction.fromWire(b.get("defaultPolicy").textValue()),
                existing == null ? null : existing.apiKeyHash(), meta.revision(), meta.createdAt(),
                meta.updatedAt());
    }

    @Override
    protected void checkDelete(Transaction tx, Cluster c) {
        for (EntityKind<?> k : List.of(EntityKind.SERVICE, EntityKind.MAPPING, EntityKind.CERTIFICATE,
                EntityKind.PROXY)) {
            for (var e : tx.list(k)) {
                if (e instanceof ClusterScoped s && s.clusterId().equals(c.id())) {
                    throw ProblemException.conflict("id", "cluster still has " + k.wireName() + " " + e.id()
                            + "; delete those first");
                }
            }
        }
    }

    static boolean isHostPort(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            return false;
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int port = Integer.parseInt(s.substring(colon + 1));
            return port >= 1 && port <= 65535 && Schemas.isAddress(host);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
