package io.marchproxy.control.xds;

import io.marchproxy.control.rest.TestPlane;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Certificate rotation through a real Envoy: upload a new certificate with the same SAN, delete the old one, while a
 * client handshakes continuously. SDS secrets are named by the service that uses them, so the rotation changes only
 * a secret's content: no listener is rebuilt, no handshake fails, and the new certificate is presented within about a
 * second of the upload.
 */
@Timeout(120)
class CertificateRotationTest {
    /** One handshake: when it ended (ns since the probe started), the leaf fingerprint, or the failure. */
    private record Handshake(long atNanos, String fingerprint, String failure) {
    }

    @Test
    void rotatingACertificateChangesOnlyTheSecretAndNoHandshakeFails() throws Exception {
        try (XdsLab lab = new XdsLab(); Backends backends = new Backends()) {
            String clusterId = lab.cluster("rotation");
            TestPki old = TestPki.issue(Files.createDirectories(lab.dir.resolve("pki")), "127.0.0.1");
            String oldId = lab.create("/api/v1/certificates", certificate("old", clusterId, old));
            int port = Backends.freePort();
            lab.create("/api/v1/services", https("rotated", clusterId, port, backends.http("rotated"), ""));
            String oldPrint = old.fingerprint();
            try (EnvoyProcess envoy = lab.envoy("rotation", "envoy-rotation")) {
                envoy.await("TLS with the old certificate", Duration.ofSeconds(15),
                        () -> oldPrint.equals(handshake(old, port).fingerprint()));
                long listenersBefore = listenerChanges(envoy);

                List<Handshake> seen = new ArrayList<>();
                AtomicBoolean running = new AtomicBoolean(true);
                long t0 = System.nanoTime();
                Thread probe = Thread.ofPlatform().name("tls-probe").start(() -> {
                    while (running.get()) {
                        Handshake h = handshake(old, port);
                        synchronized (seen) {
                            seen.add(new Handshake(System.nanoTime() - t0, h.fingerprint(), h.failure()));
                        }
                    }
                });
                Thread.sleep(300);
                TestPki next = old.reissue("127.0.0.1", "next");
                String newPrint = next.fingerprint();
                lab.create("/api/v1/certificates", certificate("next", clusterId, next));
                long uploaded = System.nanoTime() - t0;
                envoy.await("the new certificate to be presented", Duration.ofSeconds(15), () -> {
                    synchronized (seen) {
                        return !seen.isEmpty() && newPrint.equals(seen.getLast().fingerprint());
                    }
                });
                assertEquals(204, lab.send("DELETE", "/api/v1/certificates/" + oldId, null).status(),
                        "the old certificate is no longer used once the new one is");
                Thread.sleep(1500);
                running.set(false);
                probe.join();

                List<Handshake> all;
                synchronized (seen) {
                    all = List.copyOf(seen);
                }
                List<Handshake> failed = all.stream().filter(h -> h.failure() != null).toList();
                assertEquals(List.of(), failed, "handshakes failed during the rotation (of " + all.size() + ")");
                long firstNew = all.stream().filter(h -> newPrint.equals(h.fingerprint()))
                        .mapToLong(Handshake::atNanos).min().orElseThrow();
                System.out.println("certificate rotation: " + all.size() + " handshakes, none failed; new "
                        + "certificate presented " + (firstNew - uploaded) / 1_000_000 + " ms after the upload");
                assertTrue(firstNew - uploaded < Duration.ofSeconds(2).toNanos(),
                        "the new certificate took " + (firstNew - uploaded) / 1_000_000 + " ms");
                assertTrue(all.stream().filter(h -> h.atNanos() > firstNew)
                        .allMatch(h -> newPrint.equals(h.fingerprint())), "never the old one again");
                assertEquals(listenersBefore, listenerChanges(envoy), "no listener was added, changed or removed");
                assertEquals(0, envoy.stat("listener_manager.total_listeners_warming"));
            }
        }
    }

    /**
     * A certificate uploaded before it is valid is presented from its {@code notBefore} on, with no config change in
     * between: the server rebuilds the cluster's resources at the validity boundary.
     */
    @Test
    void aCertificateUploadedAheadOfItsValidityTakesOverWhenItBecomesValid() throws Exception {
        try (XdsLab lab = new XdsLab(); Backends backends = new Backends()) {
            String clusterId = lab.cluster("staged");
            TestPki current = TestPki.issue(Files.createDirectories(lab.dir.resolve("pki")), "127.0.0.1");
            lab.create("/api/v1/certificates", certificate("current", clusterId, current));
            int port = Backends.freePort();
            lab.create("/api/v1/services", https("staged", clusterId, port, backends.http("staged"), ""));
            String currentPrint = current.fingerprint();
            try (EnvoyProcess envoy = lab.envoy("staged", "envoy-staged")) {
                envoy.await("TLS with the current certificate", Duration.ofSeconds(15),
                        () -> currentPrint.equals(handshake(current, port).fingerprint()));
                TestPki staged = current.reissue("127.0.0.1", "staged", "+8S");
                String stagedPrint = staged.fingerprint();
                lab.create("/api/v1/certificates", certificate("staged", clusterId, staged));
                long uploaded = System.nanoTime();
                long version = lab.plane().store().state().configVersion();
                Thread.sleep(1000);
                assertEquals(currentPrint, handshake(current, port).fingerprint(), "not valid yet: not presented");
                envoy.await("the staged certificate once valid", Duration.ofSeconds(15),
                        () -> stagedPrint.equals(handshake(current, port).fingerprint()));
                System.out.println("staged certificate presented " + (System.nanoTime() - uploaded) / 1_000_000
                        + " ms after its upload (valid 8 s after issue)");
                assertEquals(version, lab.plane().store().state().configVersion(), "no config change meanwhile");
            }
        }
    }

    /**
     * A service served with the cluster's only certificate (no SAN names it) stays served when someone uploads an
     * unrelated certificate or deletes the one it uses: both are refused, naming it, and Envoy keeps presenting the
     * same certificate. Naming the certificate in {@code certificateId} then makes the upload possible.
     */
    @Test
    void anUnrelatedCertificateOrADeletionNeverTakesAWorkingTlsServiceOffline() throws Exception {
        try (XdsLab lab = new XdsLab(); Backends backends = new Backends()) {
            String clusterId = lab.cluster("only");
            TestPki only = TestPki.issue(Files.createDirectories(lab.dir.resolve("pki")), "127.0.0.2");
            String onlyId = lab.create("/api/v1/certificates", certificate("only", clusterId, only));
            int port = Backends.freePort();
            int backend = backends.http("relying");
            String serviceId = lab.create("/api/v1/services", https("relying", clusterId, port, backend, ""));
            String onlyPrint = only.fingerprint();
            try (EnvoyProcess envoy = lab.envoy("only", "envoy-only")) {
                envoy.await("TLS with the only certificate", Duration.ofSeconds(15),
                        () -> onlyPrint.equals(handshake(only, port, false).fingerprint()));

                TestPki unrelated = only.reissue("127.0.0.3", "unrelated");
                TestPlane.Res upload = lab.send("POST", "/api/v1/certificates", certificate("unrelated", clusterId,
                        unrelated));
                TestPlane.Res delete = lab.send("DELETE", "/api/v1/certificates/" + onlyId, null);
                long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
                while (System.nanoTime() < until) {
                    Handshake h = handshake(only, port, false);
                    assertEquals(onlyPrint, h.fingerprint(), "still served with its certificate: " + h.failure());
                }
                assertEquals(409, upload.status(), upload.text());
                assertTrue(upload.text().contains("relying"), upload.text());
                assertEquals(409, delete.status(), delete.text());
                assertTrue(delete.text().contains(serviceId), delete.text());

                assertEquals(200, lab.send("PUT", "/api/v1/services/" + serviceId, https("relying", clusterId, port,
                        backend, ",\"certificateId\":\"" + onlyId + "\"")).status());
                lab.create("/api/v1/certificates", certificate("unrelated", clusterId, unrelated));
                Thread.sleep(500);
                assertEquals(onlyPrint, handshake(only, port, false).fingerprint(), "the named certificate stays");
            }
        }
    }

    /** An https service on 127.0.0.1:{@code port} with one loopback HTTP backend; {@code extra} adds fields. */
    static String https(String name, String clusterId, int port, int backend, String extra) {
        String service = EnvoyProxyTest.service(name, clusterId, port, "https", backend);
        return service.substring(0, service.length() - 1) + extra + "}";
    }

    static String certificate(String name, String clusterId, TestPki pki) {
        return "{\"name\":\"" + name + "\",\"clusterId\":\"" + clusterId + "\",\"certificatePem\":"
                + EnvoyProxyTest.json(pki.leafPem()) + ",\"privateKeyPem\":" + EnvoyProxyTest.json(pki.leafKeyPem())
                + ",\"chainPem\":" + EnvoyProxyTest.json(pki.caPem()) + "}";
    }

    /** Listener additions, modifications and removals Envoy has counted. */
    private static long listenerChanges(EnvoyProcess envoy) {
        return envoy.stat("listener_manager.listener_added") + envoy.stat("listener_manager.listener_modified")
                + envoy.stat("listener_manager.listener_removed");
    }

    /**
     * A full handshake on a new connection and one request, with a fresh client context each time so TLS session
     * resumption cannot hide which certificate the server presents now.
     */
    static Handshake handshake(TestPki trusted, int port) {
        return handshake(trusted, port, true);
    }

    /** @param verifyHost whether the certificate must name 127.0.0.1, or only chain to the trusted CA */
    static Handshake handshake(TestPki trusted, int port, boolean verifyHost) {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, trust(trusted).getTrustManagers(), null);
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "127.0.0.1", port, true)) {
                if (verifyHost) {
                    SSLParameters p = s.getSSLParameters();
                    p.setEndpointIdentificationAlgorithm("HTTPS");
                    s.setSSLParameters(p);
                }
                s.setSoTimeout(3000);
                s.startHandshake();
                X509Certificate leaf = (X509Certificate) s.getSession().getPeerCertificates()[0];
                OutputStream out = s.getOutputStream();
                out.write(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!reply.startsWith("HTTP/1.1 200")) {
                    return new Handshake(0, fingerprint(leaf), "answered " + reply.lines().findFirst().orElse(""));
                }
                return new Handshake(0, fingerprint(leaf), null);
            }
        } catch (IOException | java.security.GeneralSecurityException e) {
            return new Handshake(0, null, e.toString());
        }
    }

    private static TrustManagerFactory trust(TestPki pki) throws java.security.GeneralSecurityException,
            IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(pki.caPem().getBytes(StandardCharsets.US_ASCII))));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf;
    }

    static String fingerprint(X509Certificate c) throws java.security.GeneralSecurityException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
    }
}
