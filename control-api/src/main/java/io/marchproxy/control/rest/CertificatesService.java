package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.marchproxy.control.auth.Principal;
import io.marchproxy.control.certs.KeySealer;
import io.marchproxy.control.certs.ParsedCertificate;
import io.marchproxy.control.certs.PemCertificates;
import io.marchproxy.control.certs.PemException;
import io.marchproxy.control.model.Certificate;
import io.marchproxy.control.model.Service;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.control.store.Transaction;
import io.marchproxy.control.validation.ObjectSchema;
import io.marchproxy.control.validation.StringSchema;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code /api/v1/certificates}. The certificate, chain and key are parsed by the JDK on the request thread and the key
 * must sign what the certificate's public key verifies; the key is then sealed (AES-GCM, master key) inside the
 * transaction, bound to the certificate id, and never returned. {@code GET /expiring?days=N} lists what expires soon.
 * A certificate stays in its cluster; no write may leave an active TLS service without a certificate, and one in use
 * (named by a service, or presented by one now) cannot be deleted ({@link ServiceRules}).
 */
public final class CertificatesService extends CrudService<Certificate, ParsedCertificate> {
    private static final String PEM_KEY = "privateKeyPem";
    private static final QueryParam DAYS = QueryParam.integer("days", 0, 3650);

    static final ObjectSchema SCHEMA = ObjectSchema.builder()
            .required("name", Schemas.name("www-example-com"))
            .required("clusterId", Schemas.id())
            .required("certificatePem", StringSchema.of(1, 65_536, "-----BEGIN CERTIFICATE-----"))
            .required(PEM_KEY, StringSchema.of(1, 65_536, "-----BEGIN PRIVATE KEY-----"))
            .optional("chainPem", StringSchema.of(0, 262_144, ""), "")
            .build();

    private final KeySealer sealer;

    public CertificatesService(Gate gate, ConfigStore store, Clock clock, KeySealer sealer) {
        super(gate, store, EntityKind.CERTIFICATE, clock);
        this.sealer = sealer;
    }

    @Override
    public String basePath() {
        return "/api/v1/certificates";
    }

    @Override
    public String tag() {
        return "certificates";
    }

    @Override
    protected ObjectSchema schema() {
        return SCHEMA;
    }

    @Override
    protected List<ListFilter<Certificate>> filters() {
        return List.of(
                ListFilter.text("clusterId", Certificate::clusterId),
                ListFilter.text("name", Certificate::name));
    }

    @Override
    protected List<Endpoint> extraEndpoints() {
        return List.of(new Endpoint(Method.GET, "/expiring", "Certificates expiring within ?days= (default 30)",
                Access.VIEWER, null, List.of(DAYS), 200, ResponseSchema.page(viewSchema()), this::expiring));
    }

    private void expiring(ServerRequest req, ServerResponse res, Principal caller) {
        long days = Requests.queryLong(req, DAYS).orElse(30L);
        Instant horizon = clock.instant().plus(Duration.ofDays(days));
        List<Certificate> soon = store.state().list(kind).stream()
                .filter(c -> c.notAfter().isBefore(horizon))
                .sorted(Comparator.comparing(Certificate::notAfter)).toList();
        Responses.json(res, 200, new Page<>(List.copyOf(soon), soon.size(), 0, soon.size()));
    }

    /** Parses certificate, chain and key once, checks that they belong together, and describes the leaf. */
    @Override
    protected ParsedCertificate prepare(ObjectNode body) {
        try {
            X509Certificate leaf = PemCertificates.parseCertificates("certificatePem",
                    body.get("certificatePem").textValue()).get(0);
            String chain = body.get("chainPem").textValue();
            if (!chain.isBlank()) {
                PemCertificates.parseCertificates("chainPem", chain);
            }
            PrivateKey key = PemCertificates.parsePrivateKey(PEM_KEY, body.get(PEM_KEY).textValue(),
                    leaf.getPublicKey().getAlgorithm());
            PemCertificates.requireMatch(PEM_KEY, key, leaf.getPublicKey());
            return PemCertificates.describe(leaf);
        } catch (PemException e) {
            throw ProblemException.unprocessable(e.field(), e.getMessage());
        }
    }

    @Override
    protected Certificate build(ObjectNode b, ParsedCertificate p, Transaction tx, Certificate existing,
                                Meta meta) {
        String name = b.get("name").textValue();
        String clusterId = b.get("clusterId").textValue();
        requireUnique(tx, "name", name, meta);
        requireCluster(tx, clusterId);
        if (existing != null && !existing.clusterId().equals(clusterId)) {
            throw ProblemException.unprocessable("clusterId", "a certificate cannot move to another cluster");
        }
        Certificate cert = new Certificate(meta.id(), name, clusterId, b.get("certificatePem").textValue(),
                b.get("chainPem").textValue(), p.subject(), p.issuer(), p.subjectAltNames(), p.serialNumber(),
                p.fingerprintSha256(), p.keyAlgorithm(), p.notBefore(), p.notAfter(),
                sealer.seal(b.get(PEM_KEY).textValue(), meta.id()), meta.revision(), meta.createdAt(),
                meta.updatedAt());
        List<Certificate> before = ServiceRules.certificates(tx, clusterId);
        // A new certificate can take a service's certificate away only by ending "the cluster's only certificate".
        if (existing != null || before.size() == 1) {
            List<Certificate> after = new ArrayList<>(before);
            after.removeIf(c -> c.id().equals(cert.id()));
            after.add(cert);
            // A new one ends the fallback by being in the cluster; a replaced one strands services by what it names.
            ServiceRules.requireCertificatesFor(tx, clusterId, after, existing == null ? "clusterId" : "certificatePem",
                    clock.instant());
        }
        return cert;
    }

    /** A certificate in use (named by a service, or presented by an active TLS service now) stays. */
    @Override
    protected void checkDelete(Transaction tx, Certificate c) {
        List<Service> users = ServiceRules.usersOf(tx, c, clock.instant());
        if (!users.isEmpty()) {
            throw ProblemException.conflict("id", "certificate is used by service(s) " + users.stream()
                    .map(s -> s.name() + " (" + s.id() + ")").collect(Collectors.joining(", "))
                    + "; name another certificate in their certificateId, or upload the certificate that replaces "
                    + "it, first");
        }
    }
}
