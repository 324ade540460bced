package io.marchproxy.control.xds;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Checks every xDS call's credential before any request is read: a call without a valid one is closed with
 * UNAUTHENTICATED (one message for every cause), counted, and logged at most once a minute without the credential.
 * An authenticated call carries its {@link XdsCredentials.Peer} in the gRPC context.
 */
final class XdsAuthInterceptor implements ServerInterceptor {
    private static final Logger LOG = Logger.getLogger(XdsAuthInterceptor.class.getName());
    static final Context.Key<XdsCredentials.Peer> PEER = Context.key("marchproxy-xds-peer");
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);
    static final String REFUSED = "xDS needs a valid credential: authorization: Bearer <cluster API key or xDS token>";
    private static final long LOG_EVERY_NANOS = 60_000_000_000L;

    private final XdsCredentials credentials;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

    XdsAuthInterceptor(XdsCredentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        String auth = headers.get(AUTHORIZATION);
        Optional<XdsCredentials.Peer> peer = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
                ? credentials.verify(auth.substring(7).trim()) : Optional.empty();
        if (peer.isEmpty()) {
            long n = failures.incrementAndGet();
            long now = System.nanoTime();
            long last = lastLogged.get();
            if (now - last >= LOG_EVERY_NANOS && lastLogged.compareAndSet(last, now)) {
                LOG.warning("xDS: refused a call without a valid credential from "
                        + LogText.of(String.valueOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)))
                        + " (" + n + " refused since start)");
            }
            call.close(Status.UNAUTHENTICATED.withDescription(REFUSED), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        return Contexts.interceptCall(Context.current().withValue(PEER, peer.get()), call, headers, next);
    }

    long failures() {
        return failures.get();
    }
}
