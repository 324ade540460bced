package io.marchproxy.control.xds;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The authenticated nodes with open streams, and the xDS counters. A node is keyed by its cluster and node id and
 * listed while it has a stream; its view is derived on every read from what its streams published, so it is never
 * stale: the versions it holds, its last NACK, and its problems (see {@link EnvoyNode#problems()}).
 * Thread-safe: streams report from their own executors, readers derive views from any thread.
 */
final class XdsNodes {
    private static final int MAX_NAMES_SHOWN = 3;

    private final Map<String, Set<XdsStream>> byNode = new ConcurrentHashMap<>();
    private final AtomicLong acks = new AtomicLong();
    private final AtomicLong responses = new AtomicLong();
    private final AtomicLong wrongCluster = new AtomicLong();
    private final Map<XdsType, AtomicLong> nacks = new EnumMap<>(XdsType.class);

    XdsNodes() {
        for (XdsType t : XdsType.values()) {
            nacks.put(t, new AtomicLong());
        }
    }

    void joined(XdsStream s) {
        byNode.computeIfAbsent(key(s), k -> ConcurrentHashMap.newKeySet()).add(s);
    }

    void left(XdsStream s) {
        byNode.computeIfPresent(key(s), (k, set) -> {
            set.remove(s);
            return set.isEmpty() ? null : set;
        });
    }

    void acked() {
        acks.incrementAndGet();
    }

    void sent() {
        responses.incrementAndGet();
    }

    /** A node whose metadata names another cluster than its credential's was refused. */
    void refusedClaim() {
        wrongCluster.incrementAndGet();
    }

    long refusedClaims() {
        return wrongCluster.get();
    }

    void nacked(XdsType type) {
        nacks.get(type).incrementAndGet();
    }

    long acks() {
        return acks.get();
    }

    long responses() {
        return responses.get();
    }

    /** NACKs since start, by type short name. */
    Map<String, Long> nacks() {
        Map<String, Long> out = new TreeMap<>();
        nacks.forEach((t, n) -> out.put(t.shortName(), n.get()));
        return out;
    }

    /** Every node with an open stream, by cluster then node id. */
    List<EnvoyNode> view(Function<String, XdsSnapshot> snapshots, Instant now, Duration stallAfter) {
        List<EnvoyNode> out = new ArrayList<>();
        byNode.forEach((key, streams) -> {
            EnvoyNode n = node(streams, snapshots, now, stallAfter);
            if (n != null) {
                out.add(n);
            }
        });
        out.sort(Comparator.comparing(EnvoyNode::cluster).thenComparing(EnvoyNode::nodeId));
        return out;
    }

    private static EnvoyNode node(Set<XdsStream> streams, Function<String, XdsSnapshot> snapshots, Instant now,
                                  Duration stallAfter) {
        XdsStream.View first = null;
        Instant connected = null;
        Instant lastRequest = null;
        Map<XdsType, Subscription.Status> types = new EnumMap<>(XdsType.class);
        int count = 0;
        for (XdsStream s : streams) {
            XdsStream.View st = s.view();
            if (st == null) {
                continue;
            }
            count++;
            first = first == null ? st : first;
            connected = connected == null || st.connectedAt().isBefore(connected) ? st.connectedAt() : connected;
            lastRequest = lastRequest == null || st.lastRequestAt().isAfter(lastRequest) ? st.lastRequestAt()
                    : lastRequest;
            st.types().forEach((t, ts) -> types.merge(t, ts, (a, b) -> later(a, b)));
        }
        if (first == null) {
            return null;
        }
        Map<String, String> held = new TreeMap<>();
        List<String> resumed = new ArrayList<>();
        EnvoyNode.Nack lastNack = null;
        for (var e : types.entrySet()) {
            Subscription.Status ts = e.getValue();
            if (ts.heldVersion() != null) {
                held.put(e.getKey().shortName(), ts.heldVersion());
            }
            if (ts.resumed()) {
                resumed.add(e.getKey().shortName());
            }
            if (ts.lastNack() != null && (lastNack == null || ts.lastNack().at().isAfter(lastNack.at()))) {
                lastNack = ts.lastNack();
            }
        }
        List<String> problems = problems(types, snapshots.apply(first.group()), now, stallAfter, connected);
        return new EnvoyNode(first.nodeId(), first.clusterId(), first.group(), count, connected, lastRequest, held,
                resumed, lastNack, problems.isEmpty(), problems);
    }

    private static Subscription.Status later(Subscription.Status a, Subscription.Status b) {
        if (a.sentAt() == null) {
            return b;
        }
        return b.sentAt() != null && b.sentAt().isAfter(a.sentAt()) ? b : a;
    }

    static List<String> problems(Map<XdsType, Subscription.Status> types, XdsSnapshot snapshot, Instant now,
                                 Duration bound, Instant connectedAt) {
        List<String> out = new ArrayList<>();
        if (snapshot == null) {
            if (older(connectedAt, now, bound)) {
                out.add("no configuration for its group yet");
            }
            return out;
        }
        for (var e : types.entrySet()) {
            XdsType t = e.getKey();
            Subscription.Status s = e.getValue();
            if (s.rejected() && s.lastNack() != null) {
                out.add("rejected " + t.shortName() + " version " + s.sentVersion() + ": "
                        + LogText.of(s.lastNack().error()));
            }
            if (s.awaitingAck() && older(s.sentAt(), now, bound)) {
                out.add(t.shortName() + " version " + s.sentVersion() + " not acknowledged for "
                        + Duration.between(s.sentAt(), now).toSeconds() + " s");
            }
            if (!s.wildcard() && older(s.requestedAt(), now, bound)) {
                Set<String> missing = new LinkedHashSet<>(s.names());
                missing.removeAll(snapshot.type(t).resources().keySet());
                if (!missing.isEmpty()) {
                    out.add("asks for " + t.shortName() + " " + names(missing) + ", which the server does not have");
                }
            }
        }
        waiting(types, XdsType.LISTENER, "listener", snapshot.listenerRefs(), now, bound, out);
        waiting(types, XdsType.CLUSTER, "cluster", snapshot.clusterRefs(), now, bound, out);
        return out;
    }

    /** Listeners (or clusters) the node holds whose references it does not hold, past the bound: warming. */
    private static void waiting(Map<XdsType, Subscription.Status> types, XdsType type, String what,
                                Map<String, Set<References.Ref>> refs, Instant now, Duration bound,
                                List<String> out) {
        Subscription.Status s = types.get(type);
        if (s == null || !older(s.heldSince(), now, bound)) {
            return;
        }
        for (String name : s.heldNames()) {
            for (References.Ref ref : refs.getOrDefault(name, Set.of())) {
                Subscription.Status dep = types.get(ref.type());
                if (dep == null || !dep.heldNames().contains(ref.name())) {
                    out.add(what + " '" + LogText.of(name) + "' waits for " + ref);
                }
            }
        }
    }

    private static boolean older(Instant t, Instant now, Duration bound) {
        return t != null && Duration.between(t, now).compareTo(bound) >= 0;
    }

    private static String names(Set<String> names) {
        List<String> shown = names.stream().limit(MAX_NAMES_SHOWN).map(n -> "'" + LogText.of(n) + "'").toList();
        return String.join(", ", shown) + (names.size() > MAX_NAMES_SHOWN
                ? " and " + (names.size() - MAX_NAMES_SHOWN) + " more" : "");
    }

    /** Called from the stream's own executor, where its node is known. */
    private static String key(XdsStream s) {
        return s.peer().clusterId() + '\n' + s.nodeId();
    }
}
