package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marchproxy.control.certs.KeySealer;
import io.marchproxy.control.model.Backend;
import io.marchproxy.control.model.Certificate;
import io.marchproxy.control.model.HealthCheck;
import io.marchproxy.control.model.Mapping;
import io.marchproxy.control.model.QosPolicy;
import io.marchproxy.control.model.Service;
import io.marchproxy.control.model.ServiceAuth;
import io.marchproxy.control.model.TlsSettings;
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

/**
 * {@code /api/v1/services}. A service belongs to one cluster for life; it cannot be deleted while a mapping or QoS
 * policy refers to it. Auth secrets (token, JWT secret) are write-only here, sealed at rest like certificate keys, and
 * reach proxies only in the cluster config. An active service may not claim ports another active service of its
 * cluster holds, and an active TLS service must have a certificate ({@link ServiceRules}): both checked in the
 * transaction that writes it.
 */
public final class ServicesService extends CrudService<Service, Void> {
    static final ObjectSchema SCHEMA = ObjectSchema.builder()
            .required("name", Schemas.name("web"))
            .required("clusterId", Schemas.id())
            .required("address", Schemas.address("10.0.0.10"))
            .required("port", Schemas.port())
            .optional("portEnd", IntegerSchema.range(1, 65535).withExample(8010), null,
                    "tcp and udp only: the service listens on port..portEnd (at least port); absent for one port. "
                            + "Envoy serves ranges of up to 16 ports, one listener each; the L4 dataplane any range")
            .required("protocol", StringSchema.oneOf("tcp", "udp", "http", "https"))
            .optional("collection", Schemas.name("default"), "default")
            .optional("backends", new ArraySchema(ObjectSchema.builder()
                    .required("address", Schemas.address("10.0.1.10"))
                    .required("port", Schemas.port())
                    .optional("weight", IntegerSchema.range(1, 1000), 1)
                    .optional("enabled", Schemas.bool(), true)
                    .build(), 0, 256), null)
            .optional("loadBalancing",
                    StringSchema.oneOf("round_robin", "least_connections", "weighted", "ip_hash", "maglev"),
                    "round_robin")
            .optional("auth", ObjectSchema.builder()
                    .required("type", StringSchema.oneOf("none", "base64", "jwt"))
                    .optional("token", StringSchema.of(16, 4096, "0123456789abcdef"), null)
                    .optional("jwtSecret", StringSchema.of(32, 4096, "0123456789abcdef0123456789abcdef"), null)
                    .optional("jwtAlgorithm", StringSchema.oneOf("HS256", "HS384", "HS512"), null)
                    .optional("jwtExpirySeconds", IntegerSchema.range(300, 2_592_000).withExample(3600), null)
                    .build(), null)
            .optional("tls", ObjectSchema.builder()
                    .optional("enabled", Schemas.bool(), false)
                    .optional("verify", Schemas.bool(), true)
                    .build(), null)
            .optional("certificateId", Schemas.id(), null,
                    "The certificate (of the service's cluster) a TLS service presents. Absent: the newest valid "
                            + "certificate whose SAN names the service's address or name, else the cluster's only "
                            + "certificate. An active TLS service without one is refused (409)")
            .optional("healthCheck", ObjectSchema.builder()
                    .required("path", StringSchema.of(1, 1024, "/healthz").pattern("^/[\\x21-\\x7e]*$"))
                    .optional("intervalSeconds", IntegerSchema.range(5, 3600).withExample(10), 10)
                    .build(), null)
            .optional("offload", Schemas.bool(), null,
                    "tcp and udp only (422 on http/https): whether the node's L4 dataplane hands the service's flows, "
                            + "once decided, to its XDP program, which then forwards their frames in the kernel "
                            + "(true), or keeps every frame on its Java path (false). Absent: true. A service with a "
                            + "QoS policy stays on the Java path either way. Envoy ignores it")
            .optional("active", Schemas.bool(), true)
            .build();

    private final KeySealer sealer;

    public ServicesService(Gate gate, ConfigStore store, Clock clock, KeySealer sealer) {
        super(gate, store, EntityKind.SERVICE, clock);
        this.sealer = sealer;
    }

    @Override
    public String basePath() {
        return "/api/v1/services";
    }

    @Override
    public String tag() {
        return "services";
    }

    @Override
    protected ObjectSchema schema() {
        return SCHEMA;
    }

    @Override
    protected List<ListFilter<Service>> filters() {
        return List.of(
                ListFilter.text("clusterId", Service::clusterId),
                ListFilter.text("collection", Service::collection),
                ListFilter.text("protocol", Service::protocol),
                ListFilter.text("name", Service::name),
                ListFilter.flag("active", Service::active));
    }

    @Override
    protected Service build(ObjectNode b, Void none, Transaction tx, Service existing, Meta meta) {
        String name = b.get("name").textValue();
        String clusterId = b.get("clusterId").textValue();
        requireUnique(tx, "name", name, meta);
        requireCluster(tx, clusterId);
        if (existing != null && !existing.clusterId().equals(clusterId)) {
            throw ProblemException.unprocessable("clusterId", "a service cannot move to another cluster");
        }
        List<Backend> backends = new ArrayList<>();
        for (JsonNode n : b.path("backends")) {
            backends.add(new Backend(n.get("address").textValue(), n.get("port").intValue(),
                    n.get("weight").intValue(), n.get("enabled").booleanValue()));
        }
        String protocol = b.get("protocol").textValue();
        int port = b.get("port").intValue();
        Integer portEnd = b.hasNonNull("portEnd") ? b.get("portEnd").intValue() : null;
        if (portEnd != null && !Service.isLayer4(protocol)) {
            throw ProblemException.unprocessable("portEnd", "only tcp and udp services take a port range");
        }
        if (portEnd != null && portEnd < port) {
            throw ProblemException.unprocessable("portEnd", "must be at least port (" + port + ")");
        }
        Boolean offload = b.has("offload") ? b.get("offload").booleanValue() : null;
        if (offload != null && !Service.isLayer4(protocol)) {
            throw ProblemException.unprocessable("offload",
                    "only tcp and udp services are offloaded (Envoy serves " + protocol + "): leave it out");
        }
        String certificateId = b.hasNonNull("certificateId") ? b.get("certificateId").textValue() : null;
        if (certificateId != null) {
            Certificate cert = tx.get(EntityKind.CERTIFICATE, certificateId).orElseThrow(
                    () -> ProblemException.unprocessable("certificateId", "no certificate with id " + certificateId));
            if (!cert.clusterId().equals(clusterId)) {
                throw ProblemException.unprocessable("certificateId",
                        "certificate " + certificateId + " belongs to another cluster");
            }
        }
        JsonNode tls = b.path("tls");
        JsonNode hc = b.get("healthCheck");
        Service s = new Service(meta.id(), name, clusterId, b.get("address").textValue(), port, portEnd, protocol,
                b.get("collection").textValue(), backends, b.get("loadBalancing").textValue(),
                auth(b.get("auth"), meta.id()),
                tls.isMissingNode() ? TlsSettings.OFF
                        : new TlsSettings(tls.get("enabled").booleanValue(), tls.get("verify").booleanValue()),
                certificateId,
                hc == null ? null : new HealthCheck(hc.get("path").textValue(), hc.get("intervalSeconds").intValue()),
                offload, b.get("active").booleanValue(), meta.revision(), meta.createdAt(), meta.updatedAt());
        ServiceRules.requireFreePorts(tx, s);
        ServiceRules.requireCertificate(tx, s, clock.instant());
        return s;
    }

    /** The auth settings with token and JWT secret sealed under the master key, bound to the service id. */
    private ServiceAuth auth(JsonNode a, String serviceId) {
        if (a == null) {
            return ServiceAuth.NONE;
        }
        String type = a.get("type").textValue();
        switch (type) {
            case "base64" -> {
                if (!a.hasNonNull("token")) {
                    throw ProblemException.unprocessable("auth.token", "is required when auth.type is base64");
                }
                return new ServiceAuth(type, sealer.seal(a.get("token").textValue(), serviceId), null, null, null);
            }
            case "jwt" -> {
                if (!a.hasNonNull("jwtSecret")) {
                    throw ProblemException.unprocessable("auth.jwtSecret", "is required when auth.type is jwt");
                }
                String alg = a.hasNonNull("jwtAlgorithm") ? a.get("jwtAlgorithm").textValue() : "HS256";
                int expiry = a.hasNonNull("jwtExpirySeconds") ? a.get("jwtExpirySeconds").intValue() : 3600;
                return new ServiceAuth(type, null, sealer.seal(a.get("jwtSecret").textValue(), serviceId), alg,
                        expiry);
            }
            default -> {
                return ServiceAuth.NONE;
            }
        }
    }

    @Override
    protected void checkDelete(Transaction tx, Service s) {
        for (Mapping m : tx.list(EntityKind.MAPPING)) {
            if (m.sources().contains(s.id()) || m.destinations().contains(s.id())) {
                throw ProblemException.conflict("id", "service is used by mapping " + m.name() + " (" + m.id()
                        + ")");
            }
        }
        for (QosPolicy q : tx.list(EntityKind.QOS)) {
            if (q.serviceId().equals(s.id())) {
                throw ProblemException.conflict("id", "service has QoS policy " + q.id() + "; delete it first");
            }
        }
    }
}
