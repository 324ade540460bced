package io.marchproxy.control.config;

import io.marchproxy.control.model.AccessAction;
import io.marchproxy.control.model.Backend;
import io.marchproxy.control.model.HealthCheck;
import io.marchproxy.control.model.Nullable;
import io.marchproxy.control.model.PortSpec;
import io.marchproxy.control.model.ServiceAuth;
import io.marchproxy.control.model.TlsSettings;

import java.time.Instant;
import java.util.List;

/**
 * Everything a proxy of one cluster needs, with mapping targets expanded to service ids and source addresses, and
 * ports to ranges. {@code hash} is the SHA-256 of the content (everything but version and hash), so two versions with
 * the same content, such as a rollback and its target, have the same hash. Contains secrets: served only to the
 * cluster's key holders and in-process subscribers. How mappings and the default policy decide a connection is
 * {@link AccessDecision}'s rule, which every proxy must apply alike.
 */
public record ResolvedConfig(String clusterId, String clusterName, long version, String hash,
                             Settings settings, List<ServiceEntry> services, List<MappingEntry> mappings,
                             List<CertificateEntry> certificates) {

    /**
     * Cluster-wide switches.
     *
     * @param defaultPolicy what happens to a connection no mapping decides (see {@link AccessDecision})
     */
    public record Settings(boolean active, int maxProxies, @Nullable String syslogEndpoint, boolean logAuth,
                           boolean logNetflow, boolean logDebug, AccessAction defaultPolicy) {
    }

    /**
     * A service with its backends, auth secrets and QoS policy.
     *
     * @param portEnd       the last port of the service: {@code port..portEnd} (tcp/udp ranges), {@code port} for one
     * @param certificateId the certificate a TLS service presents now, by {@link CertificateChoice}; null for a
     *                      service without TLS
     * @param offload       tcp/udp: whether an L4 proxy may offload the service's decided flows (to its XDP program);
     *                      null for http/https, and read as true when absent (a config from a control plane before
     *                      the field), as {@link #offloads()} does
     */
    public record ServiceEntry(String id, String name, String address, int port, int portEnd, String protocol,
                               String collection, List<Backend> backends, String loadBalancing, ServiceAuth auth,
                               TlsSettings tls, @Nullable String certificateId, @Nullable HealthCheck healthCheck,
                               @Nullable Qos qos, @Nullable Boolean offload) {

        /** Whether the service's flows may be offloaded: true unless {@code offload} says false. */
        public boolean offloads() {
            return !Boolean.FALSE.equals(offload);
        }
    }

    /** QoS of one service. */
    public record Qos(int ingressMbps, int egressMbps, int burstKb, String priority, int weight, int maxLatencyMs,
                      int dscp) {
    }

    /**
     * A mapping with sources and destinations as concrete service ids, in priority order (lower {@code priority}
     * first, then id) in {@link ResolvedConfig#mappings()}.
     *
     * @param sourcePrefixes the client addresses the mapping matches, as canonical CIDRs ({@code 10.1.0.0/16},
     *                       {@code 2001:db8::/32}, {@code 10.0.0.5/32}): its address sources, then the address of
     *                       each source service whose address is an IP literal; a source service named only by DNS
     *                       matches no address
     */
    public record MappingEntry(String id, String name, AccessAction action, List<String> sourceServiceIds,
                               List<String> sourcePrefixes, List<String> destinationServiceIds, List<String> protocols,
                               List<PortSpec.Range> ports, boolean authRequired, int priority) {
    }

    /** A certificate with its private key in clear PEM. */
    public record CertificateEntry(String id, String name, String certificatePem, String chainPem,
                                   String privateKeyPem, List<String> subjectAltNames, Instant notBefore,
                                   Instant notAfter) {
    }
}
