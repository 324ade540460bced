package io.marchproxy.control.model;

import java.time.Instant;
import java.util.List;

/**
 * A proxied service: where clients reach it, the backends behind it and how traffic to it is handled.
 *
 * @param portEnd       last port of a tcp/udp port range {@code port..portEnd}; null for a single port (and in
 *                      stores written before ranges existed)
 * @param certificateId the certificate a TLS service presents; null to let the rule choose (see
 *                      {@code config.CertificateChoice})
 */
public record Service(String id, String name, String clusterId, String address, int port, @Nullable Integer portEnd,
                      String protocol, String collection, List<Backend> backends, String loadBalancing,
                      ServiceAuth auth, TlsSettings tls, @Nullable String certificateId,
                      @Nullable HealthCheck healthCheck, boolean active,
                      long revision, Instant createdAt, Instant updatedAt) implements ClusterScoped {
    public Service {
        backends = List.copyOf(backends);
    }

    /** The last port the service listens on: {@code portEnd}, or {@code port} for a single port. */
    public int lastPort() {
        return portEnd == null ? port : portEnd;
    }

    /** True if the service terminates TLS and so needs a certificate. */
    public boolean terminatesTls() {
        return tls.terminatedFor(protocol);
    }
}
