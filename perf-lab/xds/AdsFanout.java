import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ADS fan-out benchmark client (run by {@code perf-lab/xds/run --mode fanout|fanout-trivial} with control-api's
 * class path): N state-of-the-world ADS streams subscribed to CDS, as N Envoys of one cluster, spread over HTTP/2
 * connections of 100 streams. It is built not to be the bottleneck: responses are never parsed into protobuf
 * messages nor copied (a field scanner reads version and nonce off the transport's stream and skips the resources),
 * ACKs are encoded by hand, and everything runs on the transport's event loops. After every stream has its first response and ACKed it, it makes
 * one change at a time and measures, from the moment the change is acknowledged (the REST write's response, or the
 * trivial server's trigger), when the first stream and when the last stream received the new version.
 *
 * <p>Args: {@code rest URL PASSWORD XDS_PORT STREAMS CHANGES [SERVICES]} against a control plane whose cluster has
 * SERVICES http services to begin with (each change adds one: a new CDS version), or {@code trivial TRIGGER_URL - XDS_PORT STREAMS CHANGES} against
 * {@code TrivialAds.java}, a server that does nothing but push one pre-encoded response to every stream, which
 * shows what the client itself can take.
 */
public final class AdsFanout {
    private static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
    static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    static final MethodDescriptor<byte[], byte[]> ADS = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
            .setFullMethodName("envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources")
            .setRequestMarshaller(RAW).setResponseMarshaller(RAW).build();

    /** What the client keeps of a response: its version, nonce and size; the resources are skipped unread. */
    record Seen(String version, String nonce, long bytes) {
    }

    /** Reads version (field 1) and nonce (field 5) off the transport's stream, skipping everything else. */
    private static final MethodDescriptor.Marshaller<Seen> SCAN = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(Seen value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Seen parse(InputStream stream) {
            try {
                CodedInputStream in = CodedInputStream.newInstance(stream);
                in.setSizeLimit(Integer.MAX_VALUE);
                String version = "";
                String nonce = "";
                int tag;
                while ((tag = in.readTag()) != 0) {
                    switch (WireFormat.getTagFieldNumber(tag)) {
                        case 1 -> version = in.readStringRequireUtf8();
                        case 5 -> nonce = in.readStringRequireUtf8();
                        default -> in.skipField(tag);
                    }
                }
                return new Seen(version, nonce, in.getTotalBytesRead());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<byte[], Seen> SCANNING_ADS = ADS.toBuilder(RAW, SCAN).build();

    /** The version every stream held before the current change; any other version is the change arriving. */
    private static volatile String baseline = "";
    /** The current change's number; a stream counts each change once. */
    private static volatile int change;
    private static volatile String arrived = "";
    private static final AtomicInteger reached = new AtomicInteger();
    private static final AtomicLong bytesSeen = new AtomicLong();
    private static final AtomicLong firstAt = new AtomicLong();
    private static volatile CountDownLatch all = new CountDownLatch(0);

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String url = args[1];
        String password = args[2];
        int xdsPort = Integer.parseInt(args[3]);
        int streams = Integer.parseInt(args[4]);
        int changes = Integer.parseInt(args[5]);
        int services = args.length > 6 ? Integer.parseInt(args[6]) : 1;

        Rest rest = null;
        String credential = "none";
        String cluster = null;
        if (mode.equals("rest")) {
            rest = Rest.login(url, password);
            String created = rest.call("POST", "/api/v1/clusters", "{\"name\":\"fanout\",\"defaultPolicy\":\"allow\"}", 201);
            cluster = Rest.field(created, "id");
            credential = Rest.field(created, "apiKey");
            for (int i = 0; i < services; i++) {
                rest.call("POST", "/api/v1/services", Rest.service("base-" + i, cluster, 30000 + i, 1), 201);
            }
        }
        Metadata auth = new Metadata();
        auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + credential);

        int connections = Math.max(1, streams / 100);
        List<ManagedChannel> channels = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            channels.add(NettyChannelBuilder.forAddress("127.0.0.1", xdsPort).usePlaintext().directExecutor()
                    .maxInboundMessageSize(64 << 20)
                    .intercept(MetadataUtils.newAttachHeadersInterceptor(auth)).build());
        }
        AtomicBoolean closing = new AtomicBoolean();
        CountDownLatch first = new CountDownLatch(streams);
        List<StreamObserver<byte[]>> requests = new ArrayList<>();
        long cpu0 = cpuNanos();
        for (int i = 0; i < streams; i++) {
            final byte[] hello = DiscoveryRequest.newBuilder().setTypeUrl(CDS)
                    .setNode(Node.newBuilder().setId("fanout-" + i).setCluster(cluster == null ? "" : "fanout"))
                    .build().toByteArray();
            ClientCall<byte[], Seen> call = channels.get(i % connections).newCall(SCANNING_ADS, CallOptions.DEFAULT);
            StreamObserver<byte[]>[] self = new StreamObserver[1];
            boolean[] started = {false};
            int[] counted = {0};
            self[0] = ClientCalls.asyncBidiStreamingCall(call, new StreamObserver<>() {
                @Override
                public void onNext(Seen r) {
                    bytesSeen.addAndGet(r.bytes());
                    String[] vn = {r.version(), r.nonce()};
                    self[0].onNext(ack(vn[0], vn[1]));
                    if (!started[0]) {
                        started[0] = true;
                        baseline = vn[0];
                        first.countDown();
                    } else if (!vn[0].equals(baseline) && counted[0] != change) {
                        counted[0] = change;
                        if (firstAt.compareAndSet(0, System.nanoTime())) {
                            arrived = vn[0];
                        }
                        reached.incrementAndGet();
                        all.countDown();
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
            self[0].onNext(hello);
            requests.add(self[0]);
        }
        if (!first.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException((streams - first.getCount()) + " of " + streams + " streams answered");
        }
        Thread.sleep(1000);
        long[] firstMs = new long[changes];
        long[] allMs = new long[changes];
        long cpuStart = cpuNanos();
        bytesSeen.set(0);
        for (int c = 1; c <= changes; c++) {
            CountDownLatch latch = new CountDownLatch(streams);
            reached.set(0);
            firstAt.set(0);
            all = latch;
            change = c;
            if (rest != null) {
                rest.call("POST", "/api/v1/services", Rest.service("fan-" + c, cluster, 20000 + c, 1), 201);
            } else {
                Rest.anonymous(url).call("POST", "/change", "", 200);
            }
            long t0 = System.nanoTime();
            boolean done = latch.await(30, TimeUnit.SECONDS);
            long end = System.nanoTime();
            firstMs[c - 1] = firstAt.get() == 0 ? -1 : Math.max(0, (firstAt.get() - t0) / 1_000_000);
            allMs[c - 1] = done ? (end - t0) / 1_000_000 : -1;
            baseline = arrived;
            Thread.sleep(300);
        }
        double clientCpu = (cpuNanos() - cpuStart) / 1e9;
        Arrays.sort(firstMs);
        Arrays.sort(allMs);
        System.out.printf("ads-fanout %s (%s), %d cores: %d services, %d streams on %d connections, %d changes; first stream "
                        + "p50 %d ms max %d ms; all streams p50 %d ms max %d ms; client CPU %.2f s during the "
                        + "changes (%.2f s setup); responses of %d bytes%n", mode, Instant.now(), Runtime.getRuntime().availableProcessors(),
                services, streams, connections, changes, firstMs[changes / 2], firstMs[changes - 1], allMs[changes / 2],
                allMs[changes - 1], clientCpu, (cpuStart - cpu0) / 1e9,
                bytesSeen.get() / Math.max(1, (long) streams * changes));
        System.out.printf(java.util.Locale.ROOT, "{\"bench\":\"ads-fanout\",\"mode\":\"%s\",\"services\":%d,"
                        + "\"streams\":%d,\"connections\":%d,\"changes\":%d,\"first_stream_p50_ms\":%d,"
                        + "\"first_stream_max_ms\":%d,\"all_streams_p50_ms\":%d,\"all_streams_max_ms\":%d,"
                        + "\"client_cpu_seconds\":%.2f,\"response_bytes\":%d}%n", mode, services, streams, connections,
                changes, firstMs[changes / 2], firstMs[changes - 1], allMs[changes / 2], allMs[changes - 1], clientCpu,
                bytesSeen.get() / Math.max(1, (long) streams * changes));
        if (rest != null) {
            String metrics = Rest.anonymous(url).call("GET", "/observe/metrics", null, 200);
            for (String l : metrics.split("\n")) {
                if (l.startsWith("marchproxy_xds_nodes ") || l.startsWith("marchproxy_xds_responses_total")) {
                    System.out.println(l);
                }
            }
        }
        closing.set(true);
        requests.forEach(StreamObserver::onCompleted);
        for (ManagedChannel ch : channels) {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** An ACK: version_info (1), type_url (4), response_nonce (5); the node went with the stream's first request. */
    static byte[] ack(String version, String nonce) {
        try {
            int size = CodedOutputStream.computeStringSize(1, version) + CodedOutputStream.computeStringSize(4, CDS)
                    + CodedOutputStream.computeStringSize(5, nonce);
            byte[] out = new byte[size];
            CodedOutputStream o = CodedOutputStream.newInstance(out);
            o.writeString(1, version);
            o.writeString(4, CDS);
            o.writeString(5, nonce);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
