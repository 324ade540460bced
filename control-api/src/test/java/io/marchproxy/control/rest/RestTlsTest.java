package io.marchproxy.control.rest;

import io.marchproxy.control.ControlPlane;
import io.marchproxy.control.RestTls;
import io.marchproxy.control.xds.TestPki;
import io.marchproxy.control.xds.XdsSettings;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * REST over TLS ({@code server.tls.cert}/{@code key}): a client trusting the issuing CA is served over https; one
 * that does not trust it fails the handshake; plain http gets no answer; a key of another certificate stops the
 * start with a message naming the setting.
 */
class RestTlsTest {
    @Test
    void servesHttpsWithTheConfiguredCertificateOnly() throws Exception {
        Path dir = Files.createTempDirectory("marchproxy-rest-tls");
        try {
            TestPki pki = TestPki.issue(dir, "127.0.0.1");
            Path cert = Files.writeString(dir.resolve("server.crt"), pki.leafPem() + pki.caPem());
            Path key = Files.writeString(dir.resolve("server.key"), pki.leafKeyPem());
            try (ControlPlane plane = ControlPlane.start(TestPlane.settings(dir.resolve("data"), "",
                    TestPlane.ADMIN_PASSWORD).withTls(new RestTls(cert, key)), XdsSettings.DISABLED,
                    new PrintStream(PrintStream.nullOutputStream()))) {
                assertTrue(plane.tls());
                URI health = URI.create("https://127.0.0.1:" + plane.port() + "/observe/health");
                HttpClient trusting = HttpClient.newBuilder().sslContext(pki.clientContext())
                        .connectTimeout(Duration.ofSeconds(5)).build();
                HttpResponse<String> ok = trusting.send(HttpRequest.newBuilder(health).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, ok.statusCode(), ok.body());

                HttpClient defaults = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                assertThrows(SSLHandshakeException.class, () -> defaults.send(HttpRequest.newBuilder(health).build(),
                        HttpResponse.BodyHandlers.ofString()), "the test CA is not in the JDK's trust store");
                URI plain = URI.create("http://127.0.0.1:" + plane.port() + "/observe/health");
                assertThrows(IOException.class, () -> defaults.send(HttpRequest.newBuilder(plain)
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()));
            }

            KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
            rsa.initialize(2048);
            Path otherKey = Files.writeString(dir.resolve("other.key"), TestCertificates.pem("PRIVATE KEY",
                    rsa.generateKeyPair().getPrivate().getEncoded()));
            IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> ControlPlane.start(
                    TestPlane.settings(dir.resolve("data2"), "", TestPlane.ADMIN_PASSWORD)
                            .withTls(new RestTls(cert, otherKey)), XdsSettings.DISABLED,
                    new PrintStream(PrintStream.nullOutputStream())));
            assertTrue(wrong.getMessage().contains("server.tls.key"), wrong.getMessage());
        } finally {
            TestPlane.deleteTree(dir);
        }
    }
}
