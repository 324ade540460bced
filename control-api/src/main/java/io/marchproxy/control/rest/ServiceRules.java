package io.marchproxy.control.rest;

import io.marchproxy.control.config.CertificateChoice;
import io.marchproxy.control.model.Certificate;
import io.marchproxy.control.model.PortClaim;
import io.marchproxy.control.model.Service;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.control.store.Transaction;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What keeps a working service from going offline silently, checked inside the store transaction of every write that
 * could break it, so check and write are atomic: no two active services of a cluster hold clashing ports
 * ({@link PortClaim}), and every active TLS service has a certificate ({@link CertificateChoice}). Each refusal is a
 * 409 naming the service in the way.
 */
final class ServiceRules {
    private ServiceRules() {
    }

    /** 409 on {@code port} if active service {@code s} would clash with another active service of its cluster. */
    static void requireFreePorts(Transaction tx, Service s) {
        if (!s.active()) {
            return;
        }
        PortClaim claim = PortClaim.of(s);
        for (String key : claim.lookupKeys(s.clusterId())) {
            tx.findIndexed(EntityKind.SERVICE, key, other -> !other.id().equals(s.id())
                    && other.clusterId().equals(s.clusterId()) && PortClaim.of(other).clashesWith(claim))
                    .ifPresent(other -> {
                        throw ProblemException.conflict("port", claim.describe() + " is already used by service "
                                + other.name() + " (" + other.id() + ", " + PortClaim.of(other).describe() + ")");
                    });
        }
    }

    /** 409 on {@code certificateId} if active TLS service {@code s} would have no certificate to present. */
    static void requireCertificate(Transaction tx, Service s, Instant now) {
        if (s.active() && s.terminatesTls()
                && CertificateChoice.candidates(s, certificates(tx, s.clusterId()), now).isEmpty()) {
            throw ProblemException.conflict("certificateId", "TLS service " + s.name() + " (" + s.id()
                    + ") would have no certificate: name one in certificateId, or upload one whose SAN names "
                    + s.address() + " or " + s.name() + " first");
        }
    }

    /**
     * 409 on {@code field} if, with {@code certificates} as the cluster's certificates, an active TLS service of
     * {@code clusterId} would have none left to present.
     */
    static void requireCertificatesFor(Transaction tx, String clusterId, Collection<Certificate> certificates,
                                       String field, Instant now) {
        List<String> stranded = new ArrayList<>();
        tx.stream(EntityKind.SERVICE)
                .filter(s -> s.clusterId().equals(clusterId) && s.active() && s.terminatesTls()
                        && CertificateChoice.candidates(s, certificates, now).isEmpty())
                .forEach(s -> stranded.add(s.name() + " (" + s.id() + ")"));
        if (!stranded.isEmpty()) {
            throw ProblemException.conflict(field, "TLS services would be left without a certificate: "
                    + String.join(", ", stranded) + "; name a certificate in their certificateId first");
        }
    }

    /**
     * The services using {@code certificate}: those naming it in {@code certificateId}, and the active TLS services
     * presenting it now by the rule.
     */
    static List<Service> usersOf(Transaction tx, Certificate certificate, Instant now) {
        List<Certificate> all = certificates(tx, certificate.clusterId());
        return tx.stream(EntityKind.SERVICE)
                .filter(s -> s.clusterId().equals(certificate.clusterId()))
                .filter(s -> certificate.id().equals(s.certificateId()) || (s.active() && s.terminatesTls()
                        && CertificateChoice.chosen(s, all, now).map(c -> c.id().equals(certificate.id()))
                        .orElse(false)))
                .toList();
    }

    static List<Certificate> certificates(Transaction tx, String clusterId) {
        return tx.stream(EntityKind.CERTIFICATE).filter(c -> c.clusterId().equals(clusterId)).toList();
    }
}
