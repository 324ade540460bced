package io.marchproxy.control.certs;

import java.time.Instant;
import java.util.List;

/** What the JDK read from a PEM certificate. */
public record ParsedCertificate(String subject, String issuer, List<String> subjectAltNames, String serialNumber,
                                String fingerprintSha256, String keyAlgorithm, Instant notBefore, Instant notAfter) {
    public ParsedCertificate {
        subjectAltNames = List.copyOf(subjectAltNames);
    }
}
