package io.marchproxy.control.licence;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A vendor key generated to a file signs a licence the server's verifier accepts until it expires. */
class LicenceSignerTest {
    @TempDir
    Path dir;

    @Test
    void keygenThenSignProducesATokenTheServerVerifies() throws Exception {
        Path key = dir.resolve("vendor.key");
        String publicKey = LicenceSigner.generateKey(key);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(key)), "the private key is its owner's only");
        String token = LicenceSigner.fromKeyFile(key).sign(new Licence("Acme", "enterprise", 25, List.of("xds", "sso"),
                Instant.parse("2030-01-01T00:00:00Z")));
        Clock clock = Clock.fixed(Instant.parse("2029-06-01T00:00:00Z"), ZoneOffset.UTC);
        Licence l = new LicenceVerifier(LicenceVerifier.parsePublicKey(publicKey), clock).verify(token);
        assertEquals(new Licence("Acme", "enterprise", 25, List.of("xds", "sso"),
                Instant.parse("2030-01-01T00:00:00Z")), l);
        Clock later = Clock.fixed(Instant.parse("2030-06-01T00:00:00Z"), ZoneOffset.UTC);
        LicenceException expired = assertThrows(LicenceException.class,
                () -> new LicenceVerifier(LicenceVerifier.parsePublicKey(publicKey), later).verify(token));
        assertEquals("licence expired at 2030-01-01T00:00:00Z", expired.getMessage());
        String tampered = token.substring(0, 10) + (token.charAt(10) == 'A' ? 'B' : 'A') + token.substring(11);
        assertThrows(LicenceException.class,
                () -> new LicenceVerifier(LicenceVerifier.parsePublicKey(publicKey), clock).verify(tampered));
        assertEquals(Licence.community(),
                new LicenceVerifier(LicenceVerifier.parsePublicKey(publicKey), clock).effective(
                        java.util.Optional.of(tampered)));
    }
}
