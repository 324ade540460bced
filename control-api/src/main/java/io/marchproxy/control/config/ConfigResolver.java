package io.marchproxy.control.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.marchproxy.control.certs.KeySealer;
import io.marchproxy.control.model.Certificate;
import io.marchproxy.control.model.Cluster;
import io.marchproxy.control.model.Mapping;
import io.marchproxy.control.model.MappingTargets;
import io.marchproxy.control.model.ModelJson;
import io.marchproxy.control.model.PortSpec;
import io.marchproxy.control.model.QosPolicy;
import io.marchproxy.control.model.Service;
import io.marchproxy.control.model.ServiceAuth;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.control.store.StoreState;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Computes a cluster's {@link ResolvedConfig} from a store state. Only active services and mappings are included;
 * {@code all} and {@code collection:<name>} expand to the active services they name at that state. Entries are
 * sorted by id so the content hash does not depend on creation order. Thread-safe.
 */
public final class ConfigResolver {
    private final ObjectMapper canonical = ModelJson.newMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    private final KeySealer sealer;

    public ConfigResolver(KeySealer sealer) {
        this.sealer = sealer;
    }

    public ResolvedConfig resolve(StoreState state, Cluster cluster) {
        String cid = cluster.id();
        List<Service> services = state.list(EntityKind.SERVICE).stream()
                .filter(s -> s.clusterId().equals(cid) && s.active())
                .sorted(Comparator.comparing(Service::id)).toList();
        Map<String, QosPolicy> qosByService = new HashMap<>();
        for (QosPolicy q : state.list(EntityKind.QOS)) {
            qosByService.put(q.serviceId(), q);
        }
        List<ResolvedConfig.ServiceEntry> serviceEntries = new ArrayList<>();
        for (Service s : services) {
            QosPolicy q = qosByService.get(s.id());
            serviceEntries.add(new ResolvedConfig.ServiceEntry(s.id(), s.name(), s.address(), s.port(), s.protocol(),
                    s.collection(), s.backends(), s.loadBalancing(), opened(s.auth(), s.id()), s.tls(),
                    s.healthCheck(),
                    q == null ? null : new ResolvedConfig.Qos(q.ingressMbps(), q.egressMbps(), q.burstKb(),
                            q.priority(), q.weight(), q.maxLatencyMs(), q.dscp())));
        }
        List<ResolvedConfig.MappingEntry> mappingEntries = state.list(EntityKind.MAPPING).stream()
                .filter(m -> m.clusterId().equals(cid) && m.active())
                .sorted(Comparator.comparing(Mapping::priority).thenComparing(Mapping::id))
                .map(m -> new ResolvedConfig.MappingEntry(m.id(), m.name(), expand(m.sources(), services),
                        expand(m.destinations(), services), m.protocols(), PortSpec.parse(m.ports()),
                        m.authRequired(), m.priority()))
                .toList();
        List<ResolvedConfig.CertificateEntry> certEntries = state.list(EntityKind.CERTIFICATE).stream()
                .filter(c -> c.clusterId().equals(cid))
                .sorted(Comparator.comparing(Certificate::id))
                .map(c -> new ResolvedConfig.CertificateEntry(c.id(), c.name(), c.certificatePem(), c.chainPem(),
                        sealer.open(c.encryptedKey(), c.id()), c.subjectAltNames(), c.notAfter()))
                .toList();
        ResolvedConfig.Settings settings = new ResolvedConfig.Settings(cluster.active(), cluster.maxProxies(),
                cluster.syslogEndpoint(), cluster.logging().auth(), cluster.logging().netflow(),
                cluster.logging().debug());
        ResolvedConfig unhashed = new ResolvedConfig(cid, cluster.name(), 0, "", settings, serviceEntries,
                mappingEntries, certEntries);
        return new ResolvedConfig(cid, cluster.name(), state.configVersion(), hash(unhashed), settings,
                serviceEntries, mappingEntries, certEntries);
    }

    /** The service's auth with its token and JWT secret unsealed; values stored before sealing pass through. */
    private ServiceAuth opened(ServiceAuth auth, String serviceId) {
        return new ServiceAuth(auth.type(), open(auth.token(), serviceId), open(auth.jwtSecret(), serviceId),
                auth.jwtAlgorithm(), auth.jwtExpirySeconds());
    }

    private String open(String value, String ownerId) {
        return KeySealer.isSealed(value) ? sealer.open(value, ownerId) : value;
    }

    private static List<String> expand(List<String> targets, List<Service> activeServices) {
        Set<String> ids = new LinkedHashSet<>();
        for (String t : targets) {
            if (t.equals(MappingTargets.ALL)) {
                activeServices.forEach(s -> ids.add(s.id()));
            } else if (t.startsWith(MappingTargets.COLLECTION_PREFIX)) {
                String collection = t.substring(MappingTargets.COLLECTION_PREFIX.length());
                activeServices.stream().filter(s -> s.collection().equals(collection)).forEach(s -> ids.add(s.id()));
            } else if (activeServices.stream().anyMatch(s -> s.id().equals(t))) {
                ids.add(t);
            }
        }
        return List.copyOf(ids);
    }

    private String hash(ResolvedConfig content) {
        try {
            byte[] json = canonical.writeValueAsBytes(content);
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash resolved config", e);
        }
    }
}
