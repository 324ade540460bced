package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marchproxy.control.model.AccessAction;
import io.marchproxy.control.model.Cidr;
import io.marchproxy.control.model.Mapping;
import io.marchproxy.control.model.MappingTargets;
import static io.marchproxy.control.model.MappingTargets.ALL;
import static io.marchproxy.control.model.MappingTargets.COLLECTION_PREFIX;
import io.marchproxy.control.model.PortSpec;
import io.marchproxy.control.model.Service;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.control.store.Transaction;
import io.marchproxy.control.validation.ArraySchema;
import io.marchproxy.control.validation.IntegerSchema;
import io.marchproxy.control.validation.ObjectSchema;
import io.marchproxy.control.validation.StringSchema;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code /api/v1/mappings}. Destinations are service ids of the mapping's cluster, {@code all}, or
 * {@code collection:<name>}; sources may also be IPv4/IPv6 addresses or prefixes, stored in canonical form
 * ({@code 10.1.2.3/16} becomes {@code 10.1.0.0/16}, a bare address a /32 or /128). Services are stored as written and
 * expanded when a cluster's config is resolved, so a service added to a collection later is covered without editing
 * the mapping. {@code action} says whether matching clients are allowed or denied.
 */
public final class MappingsService extends CrudService<Mapping, Void> {
    private static final Pattern SERVICE_TARGET =
            Pattern.compile("^(all|collection:[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?|[A-Za-z0-9-]+)$");
    private static final StringSchema TARGET = StringSchema.of(1, 80, ALL).pattern(SERVICE_TARGET.pattern());
    private static final StringSchema SOURCE = StringSchema.of(1, 80, "10.1.0.0/16")
            .rule(s -> MappingTargets.isPrefix(s) ? Cidr.isValid(s) : SERVICE_TARGET.matcher(s).matches(),
                    "a service id, all, collection:<name>, or an IPv4/IPv6 address or prefix such as 10.1.0.0/16 or "
                            + "2001:db8::/32 (a bare address is one host)");

    static final ObjectSchema SCHEMA = ObjectSchema.builder()
            .required("name", Schemas.name("web-to-db"))
            .required("clusterId", Schemas.id())
            .required("sources", new ArraySchema(SOURCE, 1, 256))
            .required("destinations", new ArraySchema(TARGET, 1, 256))
            .required("protocols", new ArraySchema(StringSchema.oneOf("tcp", "udp", "http", "https"), 1, 4))
            .required("ports", StringSchema.of(1, 1024, "80,443,8000-8100")
                    .rule(PortSpec::isValid, "must be a port, a range a-b or a comma list of them, each 1-65535"))
            .optional("action", StringSchema.oneOf("allow", "deny"), "allow",
                    "What happens to a connection whose client the sources contain, if no mapping of lower priority "
                            + "(then smaller id) decided it first")
            .optional("authRequired", Schemas.bool(), false)
            .optional("priority", IntegerSchema.range(0, 10_000).withExample(100), 100)
            .optional("comments", Schemas.text(1024), "")
            .optional("active", Schemas.bool(), true)
            .build();

    public MappingsService(Gate gate, ConfigStore store, Clock clock) {
        super(gate, store, EntityKind.MAPPING, clock);
    }

    @Override
    public String basePath() {
        return "/api/v1/mappings";
    }

    @Override
    public String tag() {
        return "mappings";
    }

    @Override
    protected ObjectSchema schema() {
        return SCHEMA;
    }

    @Override
    protected List<ListFilter<Mapping>> filters() {
        return List.of(
                ListFilter.text("clusterId", Mapping::clusterId),
                ListFilter.text("name", Mapping::name),
                ListFilter.flag("active", Mapping::active));
    }

    @Override
    protected Mapping build(ObjectNode b, Void none, Transaction tx, Mapping existing, Meta meta) {
        String name = b.get("name").textValue();
        String clusterId = b.get("clusterId").textValue();
        requireUnique(tx, "name", name, meta);
        requireCluster(tx, clusterId);
        List<String> sources = targets(tx, clusterId, b.get("sources"), "sources");
        List<String> destinations = targets(tx, clusterId, b.get("destinations"), "destinations");
        List<String> protocols = new ArrayList<>();
        b.get("protocols").forEach(p -> {
            if (!protocols.contains(p.textValue())) {
                protocols.add(p.textValue());
            }
        });
        return new Mapping(meta.id(), name, clusterId, sources, destinations, protocols,
                b.get("ports").textValue().replace(" ", ""), AccessAction.fromWire(b.get("action").textValue()),
                b.get("authRequired").booleanValue(),
                b.get("priority").intValue(), b.get("comments").textValue(), b.get("active").booleanValue(),
                meta.revision(), meta.createdAt(), meta.updatedAt());
    }

    private static List<String> targets(Transaction tx, String clusterId, JsonNode arr, String field) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < arr.size(); i++) {
            String t = arr.get(i).textValue();
            if (MappingTargets.isPrefix(t)) {
                t = Cidr.parse(t).toString();
            } else if (!t.equals(ALL) && !t.startsWith(COLLECTION_PREFIX)) {
                Optional<Service> s = tx.get(EntityKind.SERVICE, t);
                if (s.isEmpty()) {
                    throw ProblemException.unprocessable(field + "[" + i + "]", "no service with id " + t);
                }
                if (!s.get().clusterId().equals(clusterId)) {
                    throw ProblemException.unprocessable(field + "[" + i + "]",
                            "service " + t + " belongs to another cluster");
                }
            }
            if (!out.contains(t)) {
                out.add(t);
            }
        }
        return out;
    }
}
