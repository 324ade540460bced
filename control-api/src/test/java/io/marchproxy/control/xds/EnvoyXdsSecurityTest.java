package io.marchproxy.control.xds;

import io.marchproxy.control.rest.TestPlane;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real Envoys and the xDS port's security: a bootstrap from our endpoint (credential in {@code initial_metadata})
 * is served over TLS and over mutual TLS; an Envoy with another cluster's credential, or without the client
 * certificate mutual TLS asks for, gets no configuration at all.
 */
@Timeout(180)
class EnvoyXdsSecurityTest {
    private static String service(String clusterId, String name, int port, int backend) {
        return "{\"name\":\"" + name + "\",\"clusterId\":\"" + clusterId + "\",\"address\":\"127.0.0.1\",\"port\":"
                + port + ",\"protocol\":\"http\",\"backends\":[{\"address\":\"127.0.0.1\",\"port\":" + backend + "}]}";
    }

    private static EnvoyProcess envoy(XdsLab lab, String yaml, String name) throws Exception {
        Path dir = Files.createDirectories(lab.dir.resolve("envoy-" + name));
        int admin = Backends.freePort();
        return EnvoyProcess.start(dir, yaml.replace("port_value: 9901", "port_value: " + admin), admin);
    }

    /** A cluster named {@code name} with an http service answering "over-{name}"; returns the service's port. */
    private static int serviceOn(XdsLab lab, Backends backends, String name) throws Exception {
        String id = lab.cluster(name);
        int port = Backends.freePort();
        lab.create("/api/v1/services", service(id, name + "-web", port, backends.http("over-" + name)));
        return port;
    }

    @Test
    void anEnvoyWithAnotherClustersCredentialGetsNothing() throws Exception {
        try (XdsLab lab = new XdsLab(); Backends backends = new Backends()) {
            String red = lab.cluster("red");
            String blue = lab.cluster("blue");
            int port = Backends.freePort();
            lab.create("/api/v1/services", service(red, "red-web", port, backends.http("red")));
            TestPlane.Res boot = lab.send("GET", "/api/v1/envoy/bootstrap?cluster=red&node=intruder", null);
            assertEquals(200, boot.status());
            String token = lab.xds().tokenFor(lab.xds().clusterByIdOrName(red).orElseThrow()).orElseThrow();
            String stolen = boot.text().replace(token, lab.apiKey(blue));
            try (EnvoyProcess intruder = envoy(lab, stolen, "intruder")) {
                intruder.await("the server to refuse the intruder", Duration.ofSeconds(15),
                        () -> lab.send("GET", "/observe/metrics", null).text()
                                .matches("(?s).*\nmarchproxy_xds_wrong_cluster_total [1-9].*"));
                Thread.sleep(1000);
                assertEquals(0, intruder.stat("listener_manager.total_listeners_active"), "no listener served");
                assertEquals(0, intruder.stat("cluster_manager.cds.update_success"), "no cluster served");
                assertTrue(Http1.get(port, null).status() != 200);
            }
            // The same Envoy with a made-up credential: refused before any request is read.
            String forged = boot.text().replace(token, XdsCredentials.TOKEN_PREFIX + red + ".forged");
            try (EnvoyProcess forger = envoy(lab, forged, "forger")) {
                forger.await("the server to refuse the forger", Duration.ofSeconds(15),
                        () -> lab.send("GET", "/observe/metrics", null).text()
                                .matches("(?s).*\nmarchproxy_xds_unauthenticated_total [1-9].*"));
                assertEquals(0, forger.stat("listener_manager.total_listeners_active"), "no listener served");
            }
        }
    }

    @Test
    void servesOverTlsAndMutualTls() throws Exception {
        Path pkiDir = Files.createTempDirectory("marchproxy-xds-pki");
        try {
            TestPki server = TestPki.issue(Files.createDirectories(pkiDir.resolve("server")), "127.0.0.1");
            TestPki client = TestPki.issue(Files.createDirectories(pkiDir.resolve("client")), "127.0.0.1");
            Path chain = Files.writeString(pkiDir.resolve("server.crt"), server.leafPem());
            Path key = Files.writeString(pkiDir.resolve("server.key"), server.leafKeyPem());
            Path ca = Files.writeString(pkiDir.resolve("ca.crt"), server.caPem());
            Path clientCa = Files.writeString(pkiDir.resolve("client-ca.crt"), client.caPem());
            Path clientCert = Files.writeString(pkiDir.resolve("client.crt"), client.leafPem());
            Path clientKey = Files.writeString(pkiDir.resolve("client.key"), client.leafKeyPem());

            try (XdsLab lab = new XdsLab(x -> x.withTls(new XdsTls(chain, key, ca, null)));
                 Backends backends = new Backends()) {
                int port = serviceOn(lab, backends, "tls");
                TestPlane.Res boot = lab.send("GET", "/api/v1/envoy/bootstrap?cluster=tls&node=tls-envoy", null);
                assertTrue(boot.text().contains("trusted_ca"), boot.text());
                try (EnvoyProcess envoy = envoy(lab, boot.text(), "tls")) {
                    envoy.await("config over TLS", Duration.ofSeconds(20), () -> Http1.get(port, null).ok("over-tls"));
                }
            }

            try (XdsLab lab = new XdsLab(x -> x.withTls(new XdsTls(chain, key, ca, clientCa)));
                 Backends backends = new Backends()) {
                int port = serviceOn(lab, backends, "mtls");
                TestPlane.Res without = lab.send("GET", "/api/v1/envoy/bootstrap?cluster=mtls&node=no-cert", null);
                try (EnvoyProcess envoy = envoy(lab, without.text(), "no-cert")) {
                    Thread.sleep(3000);
                    // With TLS 1.3 the client finishes its handshake before the server checks its certificate, so
                    // Envoy may count itself connected for a moment; what matters is that nothing is served and the
                    // server never saw the node on a stream.
                    assertEquals(0, envoy.stat("listener_manager.total_listeners_active"),
                            "without a client certificate nothing is served");
                    TestPlane.Res nodes = lab.send("GET", "/api/v1/envoy/nodes", null);
                    assertEquals(200, nodes.status(), nodes.text());
                    assertFalse(nodes.text().contains("no-cert"), nodes.text());
                }
                TestPlane.Res with = lab.send("GET", "/api/v1/envoy/bootstrap?cluster=mtls&node=with-cert&clientCert="
                        + clientCert + "&clientKey=" + clientKey, null);
                assertEquals(200, with.status(), with.text());
                try (EnvoyProcess envoy = envoy(lab, with.text(), "with-cert")) {
                    envoy.await("config over mutual TLS", Duration.ofSeconds(20),
                            () -> Http1.get(port, null).ok("over-mtls"));
                }
            }
        } finally {
            TestPlane.deleteTree(pkiDir);
        }
    }
}
