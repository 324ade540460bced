package io.marchproxy.control.xds;

import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.marchproxy.control.config.ResolvedConfig;

/**
 * A TLS service's certificate as SDS secrets, named by the service ({@link XdsNames#certificateSecret},
 * {@link XdsNames#trustSecret}). Which certificate that is, the resolved config says
 * ({@link ResolvedConfig.ServiceEntry#certificateId()}).
 */
final class TlsSecrets {
    private TlsSecrets() {
    }

    /** The certificate (leaf then chain) with its key, as the TLS certificate secret of {@code serviceId}. */
    static Secret certificate(String serviceId, ResolvedConfig.CertificateEntry c) {
        String chain = c.chainPem() == null || c.chainPem().isBlank() ? c.certificatePem()
                : c.certificatePem().strip() + "\n" + c.chainPem().strip() + "\n";
        return Secret.newBuilder()
                .setName(XdsNames.certificateSecret(serviceId))
                .setTlsCertificate(TlsCertificate.newBuilder()
                        .setCertificateChain(DataSource.newBuilder().setInlineString(chain))
                        .setPrivateKey(DataSource.newBuilder().setInlineString(c.privateKeyPem())))
                .build();
    }

    /**
     * What the backends of verified-TLS service {@code serviceId} are checked against: the certificate's chain (its
     * issuers), or the certificate itself when it has no chain (a self-signed or pinned certificate).
     */
    static Secret trust(String serviceId, ResolvedConfig.CertificateEntry c) {
        String ca = c.chainPem() == null || c.chainPem().isBlank() ? c.certificatePem() : c.chainPem();
        return Secret.newBuilder()
                .setName(XdsNames.trustSecret(serviceId))
                .setValidationContext(CertificateValidationContext.newBuilder()
                        .setTrustedCa(DataSource.newBuilder().setInlineString(ca)))
                .build();
    }
}
