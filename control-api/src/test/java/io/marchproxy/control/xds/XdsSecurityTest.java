package io.marchproxy.control.xds;

import com.fasterxml.jackson.databind.JsonNode;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The xDS port tried as a stranger would, with a raw ADS client: no credential, another cluster's key, a made-up
 * cluster, a wildcard secret request, a rotated key; nothing may be served but the caller's own cluster's resources,
 * and a refusal must not tell which clusters exist.
 */
@Timeout(90)
class XdsSecurityTest {
    private static XdsLab lab;
    private static String red;
    private static String blue;

    @BeforeAll
    static void boot() throws Exception {
        lab = new XdsLab();
        red = lab.cluster("red");
        blue = lab.cluster("blue");
        TestPki pki = TestPki.issue(Files.createDirectories(lab.dir.resolve("pki")), "127.0.0.1");
        for (String[] c : new String[][]{{red, "red"}, {blue, "blue"}}) {
            lab.create("/api/v1/certificates", "{\"name\":\"" + c[1] + "-cert\",\"clusterId\":\"" + c[0] + "\","
                    + "\"certificatePem\":" + EnvoyProxyTest.json(pki.leafPem()) + ",\"privateKeyPem\":"
                    + EnvoyProxyTest.json(pki.leafKeyPem()) + "}");
            lab.create("/api/v1/services", "{\"name\":\"" + c[1] + "-web\",\"clusterId\":\"" + c[0] + "\","
                    + "\"address\":\"127.0.0.1\",\"port\":" + (c[1].equals("red") ? 18443 : 18444)
                    + ",\"protocol\":\"https\",\"tls\":{\"enabled\":true,\"verify\":false},"
                    + "\"backends\":[{\"address\":\"127.0.0.1\",\"port\":1}]}");
        }
        awaitClusters(red, 1);
        awaitClusters(blue, 1);
    }

    @AfterAll
    static void shutdown() throws Exception {
        lab.close();
    }

    private static void awaitClusters(String clusterId, int n) throws InterruptedException {
        lab.awaitSnapshot(clusterId, snap -> snap.clusters().resources().size() >= n);
    }

    private static DiscoveryRequest cds(Node node) {
        return DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(AdsClient.CDS).build();
    }

    /** A refused stream: ended UNAUTHENTICATED or PERMISSION_DENIED with nothing received. */
    private static Status refused(String credential, Node node) throws Exception {
        try (AdsClient ads = new AdsClient(lab.xds().port(), credential)) {
            ads.send(cds(node));
            Status end = ads.ended(10);
            assertNotNull(end, "the stream must be ended, not left hanging");
            assertTrue(ads.responses.isEmpty(), "nothing is sent to a refused client: " + ads.responses);
            return end;
        }
    }

    @Test
    void aClientWithoutACredentialGetsNothingWhateverClusterItClaims() throws Exception {
        Status byId = refused(null, AdsClient.node("stranger", red));
        Status byName = refused(null, AdsClient.node("stranger", "red"));
        Status unknown = refused(null, AdsClient.node("stranger", "no-such-cluster"));
        Status garbage = refused("mpk." + red + ".not-the-key", AdsClient.node("stranger", red));
        Status madeUpToken = refused(XdsCredentials.TOKEN_PREFIX + red + ".AAAA", AdsClient.node("stranger", red));
        Status unknownKey = refused("mpk.no-such-cluster.AAAAAAAA", AdsClient.node("stranger", null));
        for (Status s : List.of(byId, byName, unknown, garbage, madeUpToken, unknownKey)) {
            assertEquals(Status.Code.UNAUTHENTICATED, s.getCode(), s.toString());
            assertEquals(XdsAuthInterceptor.REFUSED, s.getDescription(),
                    "one message for every cause: a stranger cannot tell which clusters exist");
        }
        assertTrue(lab.xds().nodes().stream().noneMatch(n -> n.nodeId().equals("stranger")),
                "refused clients are not listed");
        String metrics = lab.send("GET", "/observe/metrics", null).text();
        assertTrue(metrics.contains("marchproxy_xds_unauthenticated_total "), metrics);
    }

    @Test
    void anotherClustersKeyServesOnlyThatClusterAndCannotClaimThisOne() throws Exception {
        Status claim = refused(lab.apiKey(blue), AdsClient.node("blue-node", red));
        assertEquals(Status.Code.PERMISSION_DENIED, claim.getCode(), claim.toString());
        Status byName = refused(lab.apiKey(blue), AdsClient.node("blue-node", "red"));
        assertEquals(Status.Code.PERMISSION_DENIED, byName.getCode(), byName.toString());

        try (AdsClient ads = new AdsClient(lab.xds().port(), lab.apiKey(blue))) {
            ads.send(cds(AdsClient.node("blue-node", null)));
            DiscoveryResponse r = ads.next(10);
            assertNotNull(r);
            assertEquals(lab.xds().snapshot(blue).orElseThrow().clusters().version(), r.getVersionInfo());
            assertEquals(1, r.getResourcesCount());
            assertTrue(r.getResources(0).unpack(io.envoyproxy.envoy.config.cluster.v3.Cluster.class).getName()
                    .equals(lab.xds().snapshot(blue).orElseThrow().clusters().resources().keySet().iterator().next()));
        }
    }

    @Test
    void theRightKeyOrTheBootstrapTokenIsServed() throws Exception {
        String token = lab.xds().tokenFor(lab.xds().clusterByIdOrName(red).orElseThrow()).orElseThrow();
        for (String credential : List.of(lab.apiKey(red), token)) {
            try (AdsClient ads = new AdsClient(lab.xds().port(), credential)) {
                ads.send(cds(AdsClient.node("red-node", "red")));
                DiscoveryResponse r = ads.next(10);
                assertNotNull(r, "served with " + credential.substring(0, 4));
                assertEquals(lab.xds().snapshot(red).orElseThrow().clusters().version(), r.getVersionInfo());
            }
        }
    }

    @Test
    void secretsAreServedOnlyByNameAndOnlyTheCallersOwn() throws Exception {
        String redSecret = lab.xds().snapshot(red).orElseThrow().secrets().resources().keySet().iterator().next();
        String blueSecret = lab.xds().snapshot(blue).orElseThrow().secrets().resources().keySet().iterator().next();
        try (AdsClient ads = new AdsClient(lab.xds().port(), lab.apiKey(red))) {
            Node node = AdsClient.node("red-sds", red);
            ads.send(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(AdsClient.SDS).build());
            assertNull(ads.next(1), "an SDS request naming nothing gets nothing (SDS has no wildcard)");
            ads.send(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(AdsClient.SDS).addResourceNames("*")
                    .build());
            assertNull(ads.next(1), "'*' is not a wildcard for secrets");
            ads.send(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(AdsClient.SDS)
                    .addResourceNames(blueSecret).addResourceNames(redSecret).build());
            DiscoveryResponse r = ads.next(10);
            assertNotNull(r);
            List<String> names = new ArrayList<>();
            for (var any : r.getResourcesList()) {
                names.add(any.unpack(Secret.class).getName());
            }
            List<String> expected = redSecret.equals(blueSecret) ? List.of(redSecret) : List.of(redSecret);
            assertEquals(expected, names, "only the caller's cluster's secret, never another cluster's");
            assertTrue(r.getResources(0).unpack(Secret.class).getTlsCertificate().hasPrivateKey());
        }
    }

    @Test
    void aRotatedKeyEndsItsStreamsAndIsRefusedAfterwards() throws Exception {
        String green = lab.cluster("green");
        awaitClusters(green, 0);
        String oldKey = lab.apiKey(green);
        String oldToken = lab.xds().tokenFor(lab.xds().clusterByIdOrName(green).orElseThrow()).orElseThrow();
        try (AdsClient ads = new AdsClient(lab.xds().port(), oldKey)) {
            ads.send(cds(AdsClient.node("green-node", green)));
            assertNotNull(ads.next(10), "served before the rotation");
            String newKey = lab.rotateKey(green);
            Status end = ads.ended(10);
            assertNotNull(end, "the open stream is ended when its key is rotated");
            assertEquals(Status.Code.UNAUTHENTICATED, end.getCode());

            assertEquals(Status.Code.UNAUTHENTICATED, refused(oldKey, AdsClient.node("green-node", green)).getCode());
            assertEquals(Status.Code.UNAUTHENTICATED,
                    refused(oldToken, AdsClient.node("green-node", green)).getCode(),
                    "a token derived from the old key dies with it");
            try (AdsClient again = new AdsClient(lab.xds().port(), newKey)) {
                again.send(cds(AdsClient.node("green-node", green)));
                assertNotNull(again.next(10), "the new key is served");
            }
        }
    }

    @Test
    void nodeIdsAndNackTextAreEscapedInTheLog() throws Exception {
        List<String> lines = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger log = Logger.getLogger(XdsStream.class.getName());
        log.addHandler(capture);
        try (AdsClient ads = new AdsClient(lab.xds().port(), lab.apiKey(red))) {
            Node node = AdsClient.node("evil\nINFO forged line", red);
            ads.send(cds(node));
            DiscoveryResponse r = ads.next(10);
            assertNotNull(r);
            ads.send(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(AdsClient.CDS).setResponseNonce(r.getNonce())
                    .setErrorDetail(com.google.rpc.Status.newBuilder().setMessage("bad\r\nSEVERE forged").build())
                    .build());
            for (int i = 0; i < 200 && lines.stream().noneMatch(l -> l.contains("rejected")); i++) {
                Thread.sleep(10);
            }
        } finally {
            log.removeHandler(capture);
        }
        String line = lines.stream().filter(l -> l.contains("rejected")).findFirst().orElseThrow();
        assertFalse(line.contains("\n") || line.contains("\r"), line);
        assertTrue(line.contains("evil\\u000aINFO forged line") && line.contains("bad\\u000d\\u000aSEVERE forged"),
                line);
        JsonNode nodes = lab.send("GET", "/api/v1/envoy/nodes", null).json();
        assertNotNull(nodes.get("nodes"));
    }
}
