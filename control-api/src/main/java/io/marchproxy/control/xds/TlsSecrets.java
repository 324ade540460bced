package io.marchproxy.control.xds;

import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.marchproxy.control.config.ResolvedConfig;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Certificates as SDS secrets, and which certificate a TLS service presents. A service has no certificate
 * reference of its own, so it takes the cluster certificate whose SANs name its address or name (exact, or a
 * one-label wildcard), or the cluster's only certificate when there is exactly one.
 */
final class TlsSecrets {
    private TlsSecrets() {
    }

    static Optional<ResolvedConfig.CertificateEntry> certificateFor(ResolvedConfig.ServiceEntry s,
                                                                   List<ResolvedConfig.CertificateEntry> certs) {
        for (ResolvedConfig.CertificateEntry c : certs) {
            for (String san : c.subjectAltNames()) {
                if (names(san, s.address()) || names(san, s.name())) {
                    return Optional.of(c);
                }
            }
        }
        return certs.size() == 1 ? Optional.of(certs.getFirst()) : Optional.empty();
    }

    /** A SAN value (DNS name or IP, as the certificate parser lists it) against a host. */
    static boolean names(String san, String host) {
        String a = san.trim().toLowerCase(Locale.ROOT);
        String h = host.toLowerCase(Locale.ROOT);
        if (a.equals(h)) {
            return true;
        }
        return a.startsWith("*.") && h.indexOf('.') > 0 && h.substring(h.indexOf('.')).equals(a.substring(1));
    }

    /** The certificate (leaf then chain) with its key, as a TLS certificate secret. */
    static Secret certificate(ResolvedConfig.CertificateEntry c) {
        String chain = c.chainPem() == null || c.chainPem().isBlank() ? c.certificatePem()
                : c.certificatePem().strip() + "\n" + c.chainPem().strip() + "\n";
        return Secret.newBuilder()
                .setName(XdsNames.certificateSecret(c.id()))
                .setTlsCertificate(TlsCertificate.newBuilder()
                        .setCertificateChain(DataSource.newBuilder().setInlineString(chain))
                        .setPrivateKey(DataSource.newBuilder().setInlineString(c.privateKeyPem())))
                .build();
    }

    /**
     * What backends of a verified-TLS service are checked against: the certificate's chain (its issuers), or the
     * certificate itself when it has no chain (a self-signed or pinned certificate).
     */
    static Secret trust(ResolvedConfig.CertificateEntry c) {
        String ca = c.chainPem() == null || c.chainPem().isBlank() ? c.certificatePem() : c.chainPem();
        return Secret.newBuilder()
                .setName(XdsNames.trustSecret(c.id()))
                .setValidationContext(CertificateValidationContext.newBuilder()
                        .setTrustedCa(DataSource.newBuilder().setInlineString(ca)))
                .build();
    }
}
