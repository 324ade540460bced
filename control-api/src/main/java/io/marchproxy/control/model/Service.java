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
 * @param offload       tcp/udp only: whether the L4 dataplane may hand the service's decided flows to its XDP
 *                      program (true, the default) or keeps every frame on its Java path (false); null for http and
 *                      https services, which Envoy serves. A tcp/udp service stored before the field existed reads
 *                      as true, which is how such services behaved
 */
public record Service(String id, String name, String clusterId, String address, int port, @Nullable Integer portEnd,
                      String protocol, String collection, List<Backend> backends, String loadBalancing,
                      ServiceAuth auth, TlsSettings tls, @Nullable String certificateId,
                      @Nullable HealthCheck healthCheck, @Nullable Boolean offload, boolean active,
                      long revision, Instant createdAt, Instant updatedAt) implements ClusterScoped {
    public Service {
        backends = List.copyOf(backends);
        offload = isLayer4(protocol) ? (offload == null ? Boolean.TRUE : offload) : null;
    }

    /** True for the protocols the L4 dataplane serves (tcp, udp), the ones that take a port range and offload. */
    public static boolean isLayer4(String protocol) {
        return "tcp".equals(protocol) || "udp".equals(protocol);
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
