import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ADS fan-out benchmark (run by {@code perf-lab/xds/run --mode fanout} with control-api's class path):
 * opens N state-of-the-world ADS streams to the control plane, as N Envoys of one cluster would (grpc-java clients,
 * spread over a few HTTP/2 connections), waits until every stream has its first CDS response and ACKed it, then makes
 * one REST change and measures the time from the REST response until every stream has received the new version.
 * Args: URL PASSWORD XDS_PORT STREAMS.
 */
public final class AdsFanout {
    private static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String password = args[1];
        int xdsPort = Integer.parseInt(args[2]);
        int streams = Integer.parseInt(args[3]);
        String token = field(call(base, null, "POST", "/api/v1/auth/login",
                "{\"username\":\"admin\",\"password\":\"" + password + "\"}", 200), "token");
        String cluster = field(call(base, token, "POST", "/api/v1/clusters", "{\"name\":\"fanout\"}", 201), "id");
        call(base, token, "POST", "/api/v1/services", service(cluster, "fan-0", 20000), 201);

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
        call(base, token, "POST", "/api/v1/services", service(cluster, "fan-1", 20001), 201);
        long t0 = System.nanoTime();
        boolean all = next.get().await(60, TimeUnit.SECONDS);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String metrics = call(base, null, "GET", "/observe/metrics", null, 200);
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

    private static String service(String cluster, String name, int port) {
        return "{\"name\":\"" + name + "\",\"clusterId\":\"" + cluster + "\",\"address\":\"127.0.0.1\",\"port\":"
                + port + ",\"protocol\":\"http\",\"backends\":[{\"address\":\"127.0.0.1\",\"port\":1}]}";
    }

    private static String line(String text, String prefix) {
        for (String l : text.split("\n")) {
            if (l.startsWith(prefix)) {
                return l;
            }
        }
        return prefix + "?";
    }

    private static String call(String base, String token, String method, String path, String body, int expect)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expect) {
            throw new IllegalStateException(method + " " + path + " -> " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    private static String field(String body, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + body);
        }
        return m.group(1);
    }
}
