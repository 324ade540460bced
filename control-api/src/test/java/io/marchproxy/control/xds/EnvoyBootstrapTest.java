package io.marchproxy.control.xds;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bootstrap's own xDS cluster: an address is STATIC; a host name is STRICT_DNS with the configured address
 * family (Envoy's default prefers IPv6, so a name with an IPv6 address never reached an IPv4-only server), and the
 * real Envoy accepts the result ({@code envoy --mode validate}).
 */
class EnvoyBootstrapTest {

    @Test
    void aHostNameGetsTheConfiguredFamilyAndEnvoyAcceptsIt(@TempDir Path dir) throws Exception {
        String named = EnvoyBootstrap.yaml("edge", "c1", "envoy-edge", 9901,
                new EnvoyBootstrap.Upstream("localhost", 18000, "mpx.token", null, null, null, "V4_PREFERRED"));
        assertTrue(named.contains("type: STRICT_DNS\n    dns_lookup_family: V4_PREFERRED\n"), named);
        assertEquals(0, validate(dir, named), "envoy --mode validate");

        String addressed = EnvoyBootstrap.yaml("edge", "c1", "envoy-edge", 9901,
                new EnvoyBootstrap.Upstream("127.0.0.1", 18000, "mpx.token", null, null, null, "V4_PREFERRED"));
        assertTrue(addressed.contains("type: STATIC\n"), addressed);
        assertFalse(addressed.contains("dns_lookup_family"), addressed);
        assertEquals(0, validate(dir, addressed), "envoy --mode validate");
    }

    private static int validate(Path dir, String yaml) throws Exception {
        Path config = Files.writeString(dir.resolve("bootstrap.yaml"), yaml, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(EnvoyProcess.binary().toString(), "--mode", "validate", "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("validate.log").toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("envoy --mode validate did not finish");
        }
        if (p.exitValue() != 0) {
            System.err.println(Files.readString(dir.resolve("validate.log")));
        }
        return p.exitValue();
    }
}
