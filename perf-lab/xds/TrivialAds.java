import com.google.protobuf.CodedOutputStream;
import com.sun.net.httpserver.HttpServer;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The floor for {@code AdsFanout.java}: an "ADS server" that does nothing but answer each stream's first request
 * with a pre-encoded CDS response, ignore ACKs, and, on {@code POST /change} to its HTTP port, push one new
 * pre-encoded response to every open stream. Whatever time the fan-out client measures against it is the client's
 * (and the transport's) own. Args: XDS_PORT HTTP_PORT [PAYLOAD_BYTES]. Runs until killed.
 */
public final class TrivialAds {
    private static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
    private static final Set<StreamObserver<byte[]>> STREAMS = ConcurrentHashMap.newKeySet();
    private static int payload;
    private static volatile byte[] current;

    public static void main(String[] args) throws Exception {
        int xdsPort = Integer.parseInt(args[0]);
        int httpPort = Integer.parseInt(args[1]);
        payload = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        current = response("v0");
        ServerServiceDefinition ads = ServerServiceDefinition.builder(
                        "envoy.service.discovery.v3.AggregatedDiscoveryService")
                .addMethod(AdsFanout.ADS, ServerCalls.asyncBidiStreamingCall(out -> new StreamObserver<>() {
                    private boolean answered;

                    @Override
                    public synchronized void onNext(byte[] request) {
                        if (!answered) {
                            answered = true;
                            STREAMS.add(out);
                            synchronized (out) {
                                out.onNext(current);
                            }
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        STREAMS.remove(out);
                    }

                    @Override
                    public void onCompleted() {
                        STREAMS.remove(out);
                        out.onCompleted();
                    }
                }))
                .build();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", xdsPort))
                .addService(ads).build().start();
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", httpPort), 16);
        int[] version = {0};
        http.createContext("/change", exchange -> {
            byte[] next = response("v" + (++version[0]));
            current = next;
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
            for (StreamObserver<byte[]> s : STREAMS) {
                synchronized (s) {
                    s.onNext(next);
                }
            }
        });
        http.start();
        System.out.println("trivial ADS on " + server.getPort() + ", trigger on " + httpPort);
        server.awaitTermination();
    }

    /**
     * A DiscoveryResponse with a version, one opaque resource field of {@code payload} bytes (so responses weigh what
     * the real server's do), the CDS type URL and the version as nonce.
     */
    private static byte[] response(String version) {
        try {
            byte[] filler = new byte[payload];
            int size = 2 * CodedOutputStream.computeStringSize(1, version) + CodedOutputStream.computeStringSize(4, CDS)
                    + (payload > 0 ? CodedOutputStream.computeByteArraySize(2, filler) : 0);
            byte[] out = new byte[size];
            CodedOutputStream o = CodedOutputStream.newInstance(out);
            o.writeString(1, version);
            if (payload > 0) {
                o.writeByteArray(2, filler);
            }
            o.writeString(4, CDS);
            o.writeString(5, version);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
