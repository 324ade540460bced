package io.marchproxy.control.config;

import io.marchproxy.control.model.Nullable;

import java.time.Instant;
import java.util.List;

/**
 * Everything a proxy of one cluster needs, with mapping targets expanded to service ids and ports to ranges.
 * {@code hash} is the SHA-256 of the content (everything but version and hash), so two versions with the same
 * content, such as a rollback and its target, have the same hash. Contains secrets: served only to the cluster's
 * key holders and in-process subscribers.
 */
public record ResolvedConfig(String clusterId, String clusterName, long version, String hash,
                             Settings settings, List<ServiceEntry> services, List<MappingEntry> mappings,
                             List<CertificateEntry> certificates) {

    /** Cluster-wide switches. */
    public record Settings(boolean active, int maxProxies, @Nullable String syslogEndpoint, boolean logAuth,
                           boolean logNetflow, boolean logDebug) {
    }

    /** A service with its backends, auth secrets and QoS policy. */
    public record ServiceEntry(String id, String name, String address, int port, String protocol, String collection,
                               List<io.marchproxy.control.model.Backend> backends, String loadBalancing,
                               io.marchproxy.control.model.ServiceAuth auth,
                               io.marchproxy.control.model.TlsSettings tls,
                               @Nullable io.marchproxy.control.model.HealthCheck healthCheck,
                               @Nullable Qos qos) {
    }

    /** QoS of one service. */
    public record Qos(int ingressMbps, int egressMbps, int burstKb, String priority, int weight, int maxLatencyMs,
                      int dscp) {
    }

    /** A mapping with sources and destinations as concrete service ids. */
    public record MappingEntry(String id, String name, List<String> sourceServiceIds,
                               List<String> destinationServiceIds, List<String> protocols,
                               List<io.marchproxy.control.model.PortSpec.Range> ports, boolean authRequired,
                               int priority) {
    }

    /** A certificate with its private key in clear PEM. */
    public record CertificateEntry(String id, String name, String certificatePem, String chainPem,
                                   String privateKeyPem, List<String> subjectAltNames, Instant notAfter) {
    }
}
