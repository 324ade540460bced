package io.marchproxy.control.licence;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LicenceToolTest {
    @TempDir
    Path dir;

    @Test
    void keygenThenSignProducesATokenTheServerVerifies() throws Exception {
        Path key = dir.resolve("vendor.key");
        String publicKey = run("keygen", key.toString());
        String token = run("sign", key.toString(), "Acme", "enterprise", "25", "2030-01-01T00:00:00Z", "xds", "sso");
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

    private static String run(String... args) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            LicenceTool.main(args);
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8).trim();
    }
}
