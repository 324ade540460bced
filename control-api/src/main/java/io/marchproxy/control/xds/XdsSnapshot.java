package io.marchproxy.control.xds;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything one group of nodes is served, encoded once: the resources of each type with their version, and for each
 * listener and cluster the resources it makes a node subscribe to. Immutable; shared by every stream of the group.
 *
 * @param leftOut services the translator could not express, each with the reason
 */
public record XdsSnapshot(Map<XdsType, TypeSnapshot> types, Map<String, Set<References.Ref>> listenerRefs,
                          Map<String, Set<References.Ref>> clusterRefs, List<LeftOut> leftOut) {
    public XdsSnapshot {
        types = java.util.Collections.unmodifiableMap(new EnumMap<>(types));
        listenerRefs = Map.copyOf(listenerRefs);
        clusterRefs = Map.copyOf(clusterRefs);
        leftOut = List.copyOf(leftOut);
    }

    public static XdsSnapshot of(EnvoyResources r) {
        return of(r, null);
    }

    /**
     * The snapshot of {@code r}, reusing {@code previous}'s encodings and references of every resource that is the
     * very same message object (see {@link TranslationMemo}): only what changed is encoded and hashed again.
     */
    static XdsSnapshot of(EnvoyResources r, XdsSnapshot previous) {
        Map<XdsType, TypeSnapshot> types = new EnumMap<>(XdsType.class);
        types.put(XdsType.CLUSTER, TypeSnapshot.of(XdsType.CLUSTER, r.clusters(), m -> ((Cluster) m).getName(),
                previous == null ? null : previous.clusters()));
        types.put(XdsType.ENDPOINT, TypeSnapshot.of(XdsType.ENDPOINT, r.endpoints(),
                m -> ((ClusterLoadAssignment) m).getClusterName(), previous == null ? null : previous.endpoints()));
        types.put(XdsType.LISTENER, TypeSnapshot.of(XdsType.LISTENER, r.listeners(), m -> ((Listener) m).getName(),
                previous == null ? null : previous.listeners()));
        types.put(XdsType.ROUTE, TypeSnapshot.of(XdsType.ROUTE, r.routes(), m -> ((RouteConfiguration) m).getName(),
                previous == null ? null : previous.routes()));
        types.put(XdsType.SECRET, TypeSnapshot.of(XdsType.SECRET, r.secrets(), m -> ((Secret) m).getName(),
                previous == null ? null : previous.secrets()));
        Map<String, Set<References.Ref>> listenerRefs = new LinkedHashMap<>();
        for (Listener l : r.listeners()) {
            listenerRefs.put(l.getName(), reused(previous, XdsType.LISTENER, l.getName(), l)
                    ? previous.listenerRefs().get(l.getName()) : References.of(l));
        }
        Map<String, Set<References.Ref>> clusterRefs = new LinkedHashMap<>();
        for (Cluster c : r.clusters()) {
            clusterRefs.put(c.getName(), reused(previous, XdsType.CLUSTER, c.getName(), c)
                    ? previous.clusterRefs().get(c.getName()) : References.of(c));
        }
        return new XdsSnapshot(types, listenerRefs, clusterRefs, r.leftOut());
    }

    private static boolean reused(XdsSnapshot previous, XdsType type, String name, Message m) {
        if (previous == null) {
            return false;
        }
        EncodedResource before = previous.type(type).resources().get(name);
        return before != null && before.message() == m;
    }

    public TypeSnapshot type(XdsType t) {
        return types.get(t);
    }

    public TypeSnapshot clusters() {
        return types.get(XdsType.CLUSTER);
    }

    public TypeSnapshot endpoints() {
        return types.get(XdsType.ENDPOINT);
    }

    public TypeSnapshot listeners() {
        return types.get(XdsType.LISTENER);
    }

    public TypeSnapshot routes() {
        return types.get(XdsType.ROUTE);
    }

    public TypeSnapshot secrets() {
        return types.get(XdsType.SECRET);
    }

    /** References that name nothing in this snapshot: a translator bug, as a node would wait for them forever. */
    public List<String> dangling() {
        List<String> out = new ArrayList<>();
        check(listenerRefs, "listener", out);
        check(clusterRefs, "cluster", out);
        return out;
    }

    private void check(Map<String, Set<References.Ref>> refs, String what, List<String> out) {
        refs.forEach((name, set) -> {
            for (References.Ref ref : set) {
                if (!types.get(ref.type()).resources().containsKey(ref.name())) {
                    out.add(what + " '" + name + "' references missing " + ref);
                }
            }
        });
    }

    /** The resources of {@code type} as messages, in order. */
    public List<Message> messages(XdsType type) {
        return types.get(type).resources().values().stream().map(EncodedResource::message).toList();
    }
}
