package io.marchproxy.control.config;

import io.marchproxy.control.model.Certificate;
import io.marchproxy.control.model.Cidr;
import io.marchproxy.control.model.Service;

import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which certificate a TLS service presents. The rule, in order:
 * <ol>
 * <li>the certificate the service names in {@code certificateId};</li>
 * <li>else the cluster's certificates with a SAN naming the service's address or name (exact, case-insensitive, an
 * IP address of equal value, or a one-label wildcard such as {@code *.example.com}): those valid now
 * ({@code notBefore <= now < notAfter}) before the others, then the newest {@code notBefore} first, then the
 * smallest id;</li>
 * <li>else, if the cluster has exactly one certificate, that one;</li>
 * <li>else none: the service cannot be served, which the REST API refuses to let happen.</li>
 * </ol>
 * Which certificates are candidates never depends on the time, only their order does: so uploading a certificate with
 * the same SAN and a newer {@code notBefore} rotates to it, and the passing of time alone can switch between
 * candidates but never leave a service without one.
 */
public final class CertificateChoice {
    private CertificateChoice() {
    }

    /** The certificates {@code service} may present, best first at {@code now}; empty if it has none. */
    public static List<Certificate> candidates(Service service, Collection<Certificate> clusterCertificates,
                                               Instant now) {
        if (service.certificateId() != null) {
            return clusterCertificates.stream().filter(c -> c.id().equals(service.certificateId())).toList();
        }
        List<Certificate> named = clusterCertificates.stream()
                .filter(c -> c.subjectAltNames().stream()
                        .anyMatch(san -> names(san, service.address()) || names(san, service.name())))
                .sorted(Comparator.comparing((Certificate c) -> !validAt(c, now))
                        .thenComparing(Certificate::notBefore, Comparator.reverseOrder())
                        .thenComparing(Certificate::id))
                .toList();
        if (!named.isEmpty()) {
            return named;
        }
        return clusterCertificates.size() == 1 ? List.copyOf(clusterCertificates) : List.of();
    }

    /** The certificate {@code service} presents at {@code now}. */
    public static Optional<Certificate> chosen(Service service, Collection<Certificate> clusterCertificates,
                                               Instant now) {
        return candidates(service, clusterCertificates, now).stream().findFirst();
    }

    static boolean validAt(Certificate c, Instant now) {
        return !now.isBefore(c.notBefore()) && now.isBefore(c.notAfter());
    }

    /**
     * A SAN value (DNS name or IP, as the certificate parser lists it) against a host; IP addresses compare by value,
     * so the JDK's {@code 0:0:0:0:0:0:0:1} names {@code ::1}.
     */
    public static boolean names(String san, String host) {
        String a = san.trim().toLowerCase(Locale.ROOT);
        String h = host.toLowerCase(Locale.ROOT);
        if (a.equals(h)) {
            return true;
        }
        if (Cidr.isIpLiteral(a) && Cidr.isIpLiteral(h)) {
            return Cidr.parse(a).equals(Cidr.parse(h));
        }
        return a.startsWith("*.") && h.indexOf('.') > 0 && h.substring(h.indexOf('.')).equals(a.substring(1));
    }
}
