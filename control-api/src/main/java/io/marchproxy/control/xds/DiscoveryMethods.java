package io.marchproxy.control.xds;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The state-of-the-world discovery services as gRPC service definitions: ADS, and the single-type CDS, EDS, LDS, RDS
 * and SDS streams. Requests are parsed as {@code DiscoveryRequest}; responses go out as bytes the server encoded
 * once per snapshot ({@link TypeSnapshot}), which is why the method descriptors are built here rather than taken
 * from the generated stubs. Delta xDS is not offered: a client asking for it gets UNIMPLEMENTED.
 */
final class DiscoveryMethods {
    private static final MethodDescriptor.Marshaller<DiscoveryRequest> REQUEST =
            ProtoUtils.marshaller(DiscoveryRequest.getDefaultInstance());

    /** Responses are complete {@code DiscoveryResponse} encodings; grpc-java frames a ByteArrayInputStream as is. */
    private static final MethodDescriptor.Marshaller<byte[]> ENCODED = new MethodDescriptor.Marshaller<>() {
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

    private record Service(String name, String method, XdsType type) {
    }

    private static final List<Service> SERVICES = List.of(
            new Service("envoy.service.discovery.v3.AggregatedDiscoveryService", "StreamAggregatedResources", null),
            new Service("envoy.service.cluster.v3.ClusterDiscoveryService", "StreamClusters", XdsType.CLUSTER),
            new Service("envoy.service.endpoint.v3.EndpointDiscoveryService", "StreamEndpoints", XdsType.ENDPOINT),
            new Service("envoy.service.listener.v3.ListenerDiscoveryService", "StreamListeners", XdsType.LISTENER),
            new Service("envoy.service.route.v3.RouteDiscoveryService", "StreamRoutes", XdsType.ROUTE),
            new Service("envoy.service.secret.v3.SecretDiscoveryService", "StreamSecrets", XdsType.SECRET));

    private DiscoveryMethods() {
    }

    /**
     * @param streams opens a stream for a call: the type it is restricted to (null for ADS) and the response
     *                observer, to the request observer
     */
    static List<ServerServiceDefinition> services(
            BiFunction<XdsType, StreamObserver<byte[]>, StreamObserver<DiscoveryRequest>> streams) {
        List<ServerServiceDefinition> out = new ArrayList<>();
        for (Service s : SERVICES) {
            MethodDescriptor<DiscoveryRequest, byte[]> method = MethodDescriptor.<DiscoveryRequest, byte[]>newBuilder()
                    .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
                    .setFullMethodName(MethodDescriptor.generateFullMethodName(s.name(), s.method()))
                    .setRequestMarshaller(REQUEST)
                    .setResponseMarshaller(ENCODED)
                    .build();
            out.add(ServerServiceDefinition.builder(s.name())
                    .addMethod(method, ServerCalls.asyncBidiStreamingCall(
                            responses -> streams.apply(s.type(), responses)))
                    .build());
        }
        return out;
    }
}
