package io.marchproxy.control.xds;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.NameResolverRegistry;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.xds.XdsNameResolverProvider;
import io.marchproxy.control.rest.TestPlane;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A second real xDS client: grpc-java's proxyless xDS resolver, bootstrapped at our ADS, resolves a service created
 * through REST to its backend, and follows a backend change. Each backend is a real gRPC server whose health service
 * reports a name only that backend knows, so the answer says which backend the call reached.
 */
@Timeout(90)
class ProxylessGrpcTest {
    private static final String SCHEME = "marchproxy-xds";

    @Test
    void resolvesAServiceThroughOurAdsAndFollowsABackendChange() throws Exception {
        Server first = healthServer("first");
        Server second = healthServer("second");
        try (XdsLab lab = new XdsLab()) {
            String clusterId = lab.cluster("grpc-edge");
            String body = "{\"name\":\"greeter\",\"clusterId\":\"" + clusterId + "\",\"address\":\"10.0.0.5\","
                    + "\"port\":50051,\"protocol\":\"http\",\"backends\":[{\"address\":\"127.0.0.1\",\"port\":%d}]}";
            String id = lab.create("/api/v1/services", body.formatted(first.getPort()));

            Map<String, ?> bootstrap = Map.of(
                    "xds_servers", List.of(Map.of("server_uri", "127.0.0.1:" + lab.xds().port(),
                            "channel_creds", List.of(Map.of("type", BearerXdsCredentialsProvider.NAME,
                                    "config", Map.of("credential", lab.apiKey(clusterId)))),
                            "server_features", List.of("xds_v3"))),
                    "node", Map.of("id", "grpc-client-1", "cluster", "grpc-edge",
                            "metadata", Map.of(XdsNames.CLUSTER_METADATA_KEY, clusterId,
                                    ProxylessResources.CLIENT_METADATA_KEY, ProxylessResources.GRPC_CLIENT)));
            XdsNameResolverProvider provider = XdsNameResolverProvider.createForTest(SCHEME, bootstrap);
            NameResolverRegistry.getDefaultRegistry().register(provider);
            ManagedChannel channel = Grpc.newChannelBuilder(SCHEME + ":///greeter",
                    InsecureChannelCredentials.create()).build();
            try {
                HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
                assertEquals(HealthCheckResponse.ServingStatus.SERVING, await(health, "first"));

                TestPlane.Res put = lab.send("PUT", "/api/v1/services/" + id, body.formatted(second.getPort()));
                assertEquals(200, put.status(), put.text());
                assertEquals(HealthCheckResponse.ServingStatus.SERVING, await(health, "second"));
                assertEquals(1, lab.xds().nodes().stream().filter(n -> n.nodeId().equals("grpc-client-1")
                        && n.group().equals(ProxylessResources.GROUP_PREFIX + clusterId)).count());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                NameResolverRegistry.getDefaultRegistry().deregister(provider);
            }
        } finally {
            first.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            second.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Calls Health.Check for {@code name} until the backend that knows it answers. */
    private static HealthCheckResponse.ServingStatus await(HealthGrpc.HealthBlockingStub health, String name)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        StatusRuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                return health.withDeadlineAfter(2, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.newBuilder().setService(name).build()).getStatus();
            } catch (StatusRuntimeException e) {
                last = e;
                Thread.sleep(50);
            }
        }
        throw new AssertionError("no backend answered for " + name, last);
    }

    private static Server healthServer(String name) throws Exception {
        HealthStatusManager health = new HealthStatusManager();
        health.setStatus(name, HealthCheckResponse.ServingStatus.SERVING);
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
                .addService(health.getHealthService()).build().start();
    }
}
