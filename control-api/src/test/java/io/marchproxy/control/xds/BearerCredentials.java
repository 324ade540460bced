package io.marchproxy.control.xds;

import io.grpc.CallCredentials;
import io.grpc.Metadata;

import java.util.concurrent.Executor;

/** gRPC call credentials sending {@code authorization: Bearer <credential>}, as an xDS client of ours must. */
final class BearerCredentials extends CallCredentials {
    private final String credential;

    BearerCredentials(String credential) {
        this.credential = credential;
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
        Metadata m = new Metadata();
        m.put(XdsAuthInterceptor.AUTHORIZATION, "Bearer " + credential);
        applier.apply(m);
    }
}
