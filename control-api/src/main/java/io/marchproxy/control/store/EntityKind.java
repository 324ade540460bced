package io.marchproxy.control.store;

import io.marchproxy.control.model.Certificate;
import io.marchproxy.control.model.Cluster;
import io.marchproxy.control.model.Entity;
import io.marchproxy.control.model.LicenceRecord;
import io.marchproxy.control.model.Mapping;
import io.marchproxy.control.model.PortClaim;
import io.marchproxy.control.model.ProxyNode;
import io.marchproxy.control.model.QosPolicy;
import io.marchproxy.control.model.Service;
import io.marchproxy.control.model.User;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A kind of stored entity: its wire name in the journal, its record type, its unique natural key, the non-unique keys
 * it is indexed under, and whether a change to it is a change of configuration (and so produces a new global config
 * version) or of operational state (users, proxies, licence).
 */
public final class EntityKind<T extends Entity> {
    public static final EntityKind<Cluster> CLUSTER =
            new EntityKind<>("cluster", Cluster.class, true, Cluster::name);
    /** Indexed by the port claim of each active service, so a clash check looks at a few services, not all. */
    public static final EntityKind<Service> SERVICE =
            new EntityKind<>("service", Service.class, true, Service::name,
                    s -> s.active() ? PortClaim.of(s).indexKeys(s.clusterId()) : List.of());
    public static final EntityKind<Mapping> MAPPING =
            new EntityKind<>("mapping", Mapping.class, true, Mapping::name);
    public static final EntityKind<Certificate> CERTIFICATE =
            new EntityKind<>("certificate", Certificate.class, true, Certificate::name);
    public static final EntityKind<QosPolicy> QOS =
            new EntityKind<>("qos", QosPolicy.class, true, QosPolicy::serviceId);
    public static final EntityKind<User> USER =
            new EntityKind<>("user", User.class, false, User::username);
    public static final EntityKind<ProxyNode> PROXY =
            new EntityKind<>("proxy", ProxyNode.class, false, p -> p.clusterId() + '/' + p.name());
    public static final EntityKind<LicenceRecord> LICENCE =
            new EntityKind<>("licence", LicenceRecord.class, false, LicenceRecord::id);

    private static final List<EntityKind<?>> ALL =
            List.of(CLUSTER, SERVICE, MAPPING, CERTIFICATE, QOS, USER, PROXY, LICENCE);

    private final String wireName;
    private final Class<T> type;
    private final boolean config;
    private final Function<T, String> uniqueKey;
    private final Function<T, List<String>> indexKeys;

    private EntityKind(String wireName, Class<T> type, boolean config, Function<T, String> uniqueKey) {
        this(wireName, type, config, uniqueKey, e -> List.of());
    }

    private EntityKind(String wireName, Class<T> type, boolean config, Function<T, String> uniqueKey,
                       Function<T, List<String>> indexKeys) {
        this.wireName = wireName;
        this.type = type;
        this.config = config;
        this.uniqueKey = uniqueKey;
        this.indexKeys = indexKeys;
    }

    /**
     * The natural key that identifies an entity of this kind to people (name, username, the service of a QoS
     * policy); the store indexes it so uniqueness checks do not scan.
     */
    public String uniqueKey(Entity entity) {
        return uniqueKey.apply(type.cast(entity));
    }

    /**
     * The keys, none or several and shared with other entities, under which the store indexes {@code entity} for
     * {@link StoreState#findIndexed}.
     */
    public List<String> indexKeys(Entity entity) {
        return indexKeys.apply(type.cast(entity));
    }

    public static List<EntityKind<?>> all() {
        return ALL;
    }

    public static Optional<EntityKind<?>> byWireName(String name) {
        return ALL.stream().filter(k -> k.wireName.equals(name)).findFirst();
    }

    public String wireName() {
        return wireName;
    }

    public Class<T> type() {
        return type;
    }

    /** True if changes to this kind are configuration changes and bump the global config version. */
    public boolean isConfig() {
        return config;
    }

    public T cast(Entity entity) {
        return type.cast(entity);
    }

    @Override
    public String toString() {
        return wireName;
    }
}
