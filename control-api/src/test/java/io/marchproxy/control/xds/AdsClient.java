package io.marchproxy.control.xds;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A raw state-of-the-world ADS client (grpc-java), speaking to the server the way an Envoy would, or the way a
 * stranger would: with any credential or none, any node. Responses and the stream's end are queued for assertions.
 */
final class AdsClient implements AutoCloseable {
    static final String CDS = XdsType.CLUSTER.typeUrl();
    static final String SDS = XdsType.SECRET.typeUrl();

    private final ManagedChannel channel;
    private final StreamObserver<DiscoveryRequest> requests;
    final LinkedBlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
    final CompletableFuture<Status> end = new CompletableFuture<>();

    /** @param credential sent as {@code authorization: Bearer ...}, or null for none */
    AdsClient(int port, String credential) {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        var stub = AggregatedDiscoveryServiceGrpc.newStub(channel);
        if (credential != null) {
            stub = stub.withCallCredentials(new BearerCredentials(credential));
        }
        requests = stub.streamAggregatedResources(new StreamObserver<>() {
            @Override
            public void onNext(DiscoveryResponse r) {
                responses.add(r);
            }

            @Override
            public void onError(Throwable t) {
                end.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                end.complete(Status.OK);
            }
        });
    }

    /** A node claiming {@code cluster} in its metadata (null: no claim). */
    static Node node(String id, String cluster) {
        Node.Builder n = Node.newBuilder().setId(id);
        if (cluster != null) {
            n.setMetadata(Struct.newBuilder().putFields(XdsNames.CLUSTER_METADATA_KEY,
                    Value.newBuilder().setStringValue(cluster).build()));
        }
        return n.build();
    }

    void send(DiscoveryRequest r) {
        requests.onNext(r);
    }

    /** The next response within {@code seconds}, or null. */
    DiscoveryResponse next(double seconds) throws InterruptedException {
        return responses.poll((long) (seconds * 1000), TimeUnit.MILLISECONDS);
    }

    /** How the stream ended within {@code seconds}, or null if it is still open. */
    Status ended(double seconds) throws Exception {
        try {
            return end.get((long) (seconds * 1000), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            requests.onCompleted();
        } catch (RuntimeException ignored) {
            // already closed by the server
        }
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
