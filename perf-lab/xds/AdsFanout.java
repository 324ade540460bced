import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The ADS fan-out benchmark (run by {@code perf-lab/xds/run --mode fanout} with control-api's class path):
 * opens N state-of-the-world ADS streams to the control plane, as N Envoys of one cluster would (grpc-java clients,
 * spread over a few HTTP/2 connections), waits until every stream has its first CDS response and ACKed it, then makes
 * one REST change and measures the time from the REST response until every stream has received the new version.
 * Args: URL PASSWORD XDS_PORT STREAMS.
 */
public final class AdsFanout {
    private static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String password = args[1];
        int xdsPort = Integer.parseInt(args[2]);
        int streams = Integer.parseInt(args[3]);
        Rest rest = Rest.login(base, password);
        String cluster = Rest.field(rest.call("POST", "/api/v1/clusters",
                "{\"name\":\"fanout\",\"defaultPolicy\":\"allow\"}", 201), "id");
        rest.call("POST", "/api/v1/services", Rest.service("fan-0", cluster, 20000, 1), 201);

        int connections = Math.max(1, streams / 100);
        List<ManagedChannel> channels = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            channels.add(NettyChannelBuilder.forAddress("127.0.0.1", xdsPort).usePlaintext()
                    .maxInboundMessageSize(64 << 20).build());
        }
        CountDownLatch first = new CountDownLatch(streams);
        AtomicReference<CountDownLatch> next = new AtomicReference<>();
        AtomicReference<String> firstVersion = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
        List<StreamObserver<DiscoveryRequest>> requests = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            Node node = Node.newBuilder().setId("fanout-" + i).setCluster("fanout").build();
            AtomicReference<StreamObserver<DiscoveryRequest>> self = new AtomicReference<>();
            StreamObserver<DiscoveryRequest> req = AggregatedDiscoveryServiceGrpc.newStub(channels.get(i % connections))
                    .streamAggregatedResources(new StreamObserver<>() {
                        @Override
                        public void onNext(DiscoveryResponse r) {
                            self.get().onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(CDS)
                                    .setVersionInfo(r.getVersionInfo()).setResponseNonce(r.getNonce()).build());
                            firstVersion.compareAndSet(null, r.getVersionInfo());
                            if (r.getVersionInfo().equals(firstVersion.get())) {
                                first.countDown();
                            } else if (next.get() != null) {
                                next.get().countDown();
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                            if (!closing.get()) {
                                System.err.println("stream failed: " + t);
                            }
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
            self.set(req);
            requests.add(req);
            req.onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(CDS).build());
        }
        if (!first.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException((streams - first.getCount()) + " of " + streams + " streams got CDS");
        }
        Thread.sleep(1000);
        next.set(new CountDownLatch(streams));
        rest.call("POST", "/api/v1/services", Rest.service("fan-1", cluster, 20001, 1), 201);
        long t0 = System.nanoTime();
        boolean all = next.get().await(60, TimeUnit.SECONDS);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String metrics = Rest.anonymous(base).call("GET", "/observe/metrics", null, 200);
        System.out.printf("ads-fanout %s, %d cores: %d ADS streams on %d connections; one REST change reached %s"
                        + " streams in %d ms (target <= 2000 ms); %s%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), streams, connections,
                all ? "all" : (streams - next.get().getCount()) + "", ms, line(metrics, "marchproxy_xds_nodes "));
        closing.set(true);
        requests.forEach(StreamObserver::onCompleted);
        for (ManagedChannel ch : channels) {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static String line(String text, String prefix) {
        for (String l : text.split("\n")) {
            if (l.startsWith(prefix)) {
                return l;
            }
        }
        return prefix + "?";
    }
}
