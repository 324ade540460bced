package io.marchproxy.control.config;

import io.marchproxy.control.model.Certificate;
import io.marchproxy.control.model.Service;
import io.marchproxy.control.model.ServiceAuth;
import io.marchproxy.control.model.TlsSettings;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CertificateChoiceTest {
    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    static Certificate cert(String id, String san, String notBefore, String notAfter) {
        return new Certificate(id, "cert-" + id, "c1", "pem", "", "CN=" + san, "CN=ca", List.of(san), "1", "fp", "EC",
                Instant.parse(notBefore), Instant.parse(notAfter), "sealed", 1, NOW, NOW);
    }

    static Service https(String name, String address, String certificateId) {
        return new Service("s-" + name, name, "c1", address, 443, null, "https", "default", List.of(), "round_robin",
                ServiceAuth.NONE, TlsSettings.OFF, certificateId, null, null, true, 1, NOW, NOW);
    }

    private static List<String> ids(List<Certificate> certs) {
        return certs.stream().map(Certificate::id).toList();
    }

    @Test
    void validNowThenNewestThenSmallestIdAmongSanMatches() {
        Certificate old = cert("b-old", "www.example.com", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z");
        Certificate renewed = cert("z-new", "www.example.com", "2026-05-01T00:00:00Z", "2027-05-01T00:00:00Z");
        Certificate twin = cert("a-twin", "*.example.com", "2026-05-01T00:00:00Z", "2027-05-01T00:00:00Z");
        Certificate early = cert("c-early", "www.example.com", "2026-07-01T00:00:00Z", "2027-07-01T00:00:00Z");
        Certificate expired = cert("d-expired", "www.example.com", "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z");
        Certificate other = cert("e-other", "api.example.org", "2026-05-01T00:00:00Z", "2027-05-01T00:00:00Z");
        Service www = https("www", "www.example.com", null);
        assertEquals(List.of("a-twin", "z-new", "b-old", "c-early", "d-expired"), ids(CertificateChoice.candidates(
                www, List.of(other, expired, early, twin, renewed, old), NOW)));
        // A month later the early one is valid and the newest.
        assertEquals("c-early", CertificateChoice.chosen(www, List.of(old, renewed, early), Instant.parse(
                "2026-07-01T00:00:00Z")).orElseThrow().id());
        // Only an expired certificate names it: still presented rather than nothing.
        assertEquals("d-expired", CertificateChoice.chosen(www, List.of(expired, other), NOW).orElseThrow().id());
    }

    @Test
    void aNamedCertificateWinsAndTheOnlyCertificateIsTheFallback() {
        Certificate other = cert("e-other", "api.example.org", "2026-05-01T00:00:00Z", "2027-05-01T00:00:00Z");
        Certificate www = cert("w", "www.example.com", "2026-05-01T00:00:00Z", "2027-05-01T00:00:00Z");
        assertEquals(List.of("e-other"), ids(CertificateChoice.candidates(https("www", "www.example.com", "e-other"),
                List.of(www, other), NOW)), "certificateId, whatever the SANs say");
        assertEquals(List.of("e-other"), ids(CertificateChoice.candidates(https("lone", "10.0.0.5", null),
                List.of(other), NOW)), "the cluster's only certificate");
        assertTrue(CertificateChoice.candidates(https("lone", "10.0.0.5", null), List.of(other, www), NOW)
                .isEmpty(), "with a second certificate there is no fallback");
        assertTrue(CertificateChoice.candidates(https("gone", "10.0.0.5", "missing"), List.of(other), NOW)
                .isEmpty());
    }

    @Test
    void sansMatchByNameAddressValueOrOneLabelWildcard() {
        assertTrue(CertificateChoice.names("WWW.example.com", "www.EXAMPLE.com"));
        assertTrue(CertificateChoice.names("*.example.com", "api.example.com"));
        assertTrue(!CertificateChoice.names("*.example.com", "a.b.example.com"));
        assertTrue(!CertificateChoice.names("*.example.com", "example.com"));
        assertTrue(CertificateChoice.names("0:0:0:0:0:0:0:1", "::1"), "the JDK lists IPv6 SANs in full");
        assertTrue(CertificateChoice.names("127.0.0.1", "127.0.0.1"));
        assertTrue(!CertificateChoice.names("127.0.0.1", "127.0.0.2"));
    }
}
