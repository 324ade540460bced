package io.marchproxy.control.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.marchproxy.control.certs.KeySealer;
import io.marchproxy.control.model.Certificate;
import io.marchproxy.control.model.Cidr;
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
import java.time.Clock;
import java.time.Instant;
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
 * {@code all} and {@code collection:<name>} expand to the active services they name at that state, and mapping
 * sources to the address prefixes they match. Each TLS service gets the certificate {@link CertificateChoice} picks at
 * the clock's current time, so the result changes when a certificate's validity starts or ends even if the state does
 * not. Entries are sorted by id (mappings by priority, then id) so the content hash does not depend on creation
 * order. Thread-safe.
 */
public final class ConfigResolver {
    private final ObjectMapper canonical = ModelJson.newMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    private final KeySealer sealer;
    private final Clock clock;

    public ConfigResolver(KeySealer sealer, Clock clock) {
        this.sealer = sealer;
        this.clock = clock;
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
        List<Certificate> certificates = state.list(EntityKind.CERTIFICATE).stream()
                .filter(c -> c.clusterId().equals(cid))
                .sorted(Comparator.comparing(Certificate::id)).toList();
        Instant now = clock.instant();
        List<ResolvedConfig.ServiceEntry> serviceEntries = new ArrayList<>();
        for (Service s : services) {
            QosPolicy q = qosByService.get(s.id());
            String certificate = s.terminatesTls()
                    ? CertificateChoice.chosen(s, certificates, now).map(Certificate::id).orElse(null) : null;
            serviceEntries.add(new ResolvedConfig.ServiceEntry(s.id(), s.name(), s.address(), s.port(), s.lastPort(),
                    s.protocol(), s.collection(), s.backends(), s.loadBalancing(), opened(s.auth(), s.id()), s.tls(),
                    certificate, s.healthCheck(),
                    q == null ? null : new ResolvedConfig.Qos(q.ingressMbps(), q.egressMbps(), q.burstKb(),
                            q.priority(), q.weight(), q.maxLatencyMs(), q.dscp()), s.offload()));
        }
        Map<String, Service> servicesById = new HashMap<>();
        services.forEach(s -> servicesById.put(s.id(), s));
        List<ResolvedConfig.MappingEntry> mappingEntries = state.list(EntityKind.MAPPING).stream()
                .filter(m -> m.clusterId().equals(cid) && m.active())
                .sorted(Comparator.comparing(Mapping::priority).thenComparing(Mapping::id))
                .map(m -> {
                    List<String> sources = expand(m.sources(), services);
                    return new ResolvedConfig.MappingEntry(m.id(), m.name(), m.action(), sources,
                            prefixes(m.sources(), sources, servicesById), expand(m.destinations(), services),
                            m.protocols(), PortSpec.parse(m.ports()), m.authRequired(), m.priority());
                })
                .toList();
        List<ResolvedConfig.CertificateEntry> certEntries = certificates.stream()
                .map(c -> new ResolvedConfig.CertificateEntry(c.id(), c.name(), c.certificatePem(), c.chainPem(),
                        sealer.open(c.encryptedKey(), c.id()), c.subjectAltNames(), c.notBefore(), c.notAfter()))
                .toList();
        ResolvedConfig.Settings settings = new ResolvedConfig.Settings(cluster.active(), cluster.maxProxies(),
                cluster.syslogEndpoint(), cluster.logging().auth(), cluster.logging().netflow(),
                cluster.logging().debug(), cluster.defaultPolicy());
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

    /**
     * The canonical prefixes a mapping's sources match: its address sources as written (stored canonical), then the
     * address of each source service that has an IP literal for one, deduplicated.
     */
    private static List<String> prefixes(List<String> targets, List<String> sourceServiceIds,
                                         Map<String, Service> byId) {
        Set<String> out = new LinkedHashSet<>();
        targets.stream().filter(MappingTargets::isPrefix).forEach(t -> out.add(Cidr.parse(t).toString()));
        for (String id : sourceServiceIds) {
            Service s = byId.get(id);
            if (s != null && Cidr.isIpLiteral(s.address())) {
                out.add(Cidr.parse(s.address()).toString());
            }
        }
        return List.copyOf(out);
    }

    private static List<String> expand(List<String> targets, List<Service> activeServices) {
        Set<String> ids = new LinkedHashSet<>();
        for (String t : targets) {
            if (MappingTargets.isPrefix(t)) {
                continue;
            }
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
