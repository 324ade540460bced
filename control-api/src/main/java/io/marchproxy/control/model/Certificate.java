package io.marchproxy.control.model;

import java.time.Instant;
import java.util.List;

/**
 * A TLS certificate with its chain and private key. The descriptive fields are parsed from the PEM by the JDK;
 * {@code encryptedKey} is the PEM private key sealed with AES-GCM under the master key and never leaves the server
 * except inside a cluster's resolved config.
 */
public record Certificate(String id, String name, String clusterId, String certificatePem, String chainPem,
                          String subject, String issuer, List<String> subjectAltNames, String serialNumber,
                          String fingerprintSha256, String keyAlgorithm, Instant notBefore, Instant notAfter,
                          String encryptedKey, long revision, Instant createdAt, Instant updatedAt)
        implements ClusterScoped {
    public Certificate {
        subjectAltNames = List.copyOf(subjectAltNames);
    }
}
