package io.marchproxy.control.xds;

import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;

import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Lets an Envoy resume on a new stream without being sent what it already has. {@link SimpleCache} answers any
 * request naming resources the stream has not been sent yet, which on a fresh stream (Envoy reconnecting to a
 * restarted control plane) is every named resource, even when Envoy's version is the one we serve. When the first
 * request of a type on a stream carries exactly the version we serve, this treats the names as already known, so the
 * watch just waits for the next change. Cost: a name Envoy subscribed to but was never answered before the stream
 * broke, at an unchanged version, waits for the next change of that type.
 */
final class ResumingWatcher implements ConfigWatcher {
    private final SimpleCache<String> cache;
    private final Function<XdsRequest, String> group;

    ResumingWatcher(SimpleCache<String> cache, Function<XdsRequest, String> group) {
        this.cache = cache;
        this.group = group;
    }

    @Override
    public Watch createWatch(boolean ads, XdsRequest request, Set<String> knownResourceNames,
                             Consumer<Response> responseConsumer, boolean hasClusterChanged,
                             boolean allowDefaultEmptyEdsUpdate) {
        Set<String> known = knownResourceNames;
        if (knownResourceNames.isEmpty() && !request.getVersionInfo().isEmpty()
                && request.getResponseNonce().isEmpty()) {
            Snapshot s = cache.getSnapshot(group.apply(request));
            if (s != null && request.getVersionInfo().equals(s.version(request.getResourceType(),
                    request.getResourceNamesList()))) {
                known = Set.copyOf(request.getResourceNamesList());
            }
        }
        return cache.createWatch(ads, request, known, responseConsumer, hasClusterChanged,
                allowDefaultEmptyEdsUpdate);
    }

    @Override
    public DeltaWatch createDeltaWatch(DeltaXdsRequest request, String requesterVersion,
                                       Map<String, String> resourceVersions, Set<String> pendingResources,
                                       boolean isWildcard, Consumer<DeltaResponse> responseConsumer,
                                       boolean hasClusterChanged) {
        return cache.createDeltaWatch(request, requesterVersion, resourceVersions, pendingResources, isWildcard,
                responseConsumer, hasClusterChanged);
    }
}
