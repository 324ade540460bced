package io.marchproxy.control.xds;

import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.xds.XdsCredentialsProvider;

import java.util.Map;

/**
 * How a proxyless gRPC client presents a MarchProxy xDS credential: grpc-java 1.73's xDS bootstrap has no call
 * credentials of its own, so this provider (found through {@code META-INF/services}) adds channel credentials of type
 * {@value #NAME} whose config is {@code {"credential": "<cluster API key or xDS token>"}}.
 */
public final class BearerXdsCredentialsProvider extends XdsCredentialsProvider {
    static final String NAME = "marchproxy_bearer";

    @Override
    protected ChannelCredentials newChannelCredentials(Map<String, ?> config) {
        Object credential = config == null ? null : config.get("credential");
        if (!(credential instanceof String s)) {
            return null;
        }
        return CompositeChannelCredentials.create(InsecureChannelCredentials.create(), new BearerCredentials(s));
    }

    @Override
    protected String getName() {
        return NAME;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public int priority() {
        return 5;
    }
}
