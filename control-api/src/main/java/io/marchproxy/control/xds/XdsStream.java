package io.marchproxy.control.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.logging.Logger;

/**
 * One state-of-the-world xDS stream (ADS, or one type's own service) of one authenticated node. All of its state is
 * written on its own {@link SerialExecutor}; requests, new snapshots, flow-control wake-ups and closing are tasks on
 * it, so they never race and responses keep their order.
 *
 * <p>The protocol, per resource type:
 * <ul>
 *   <li>A request whose nonce is not the last one sent for its type is stale (the node had not seen the latest
 *   response when it sent it) and ignored: the node answers the latest response anyway, with its current names.</li>
 *   <li>A request answering the latest response ACKs it (the node now holds that version and those resources) or,
 *   with error detail, NACKs it (counted and shown; the same content is not sent again).</li>
 *   <li>The first request of a type on a new stream may carry the version the node holds from an earlier stream
 *   (a reconnect, or a restarted control plane): when it is the version we serve, the node holds what it names and
 *   nothing is re-sent, so nothing reloads.</li>
 *   <li>A response is sent whenever what the node would hold differs from what we serve: another version, or names
 *   it asks for that we have and it was not sent. It carries every requested resource we have; names we do not have
 *   are left out rather than holding the response back, so one missing or removed name (a draining listener's route,
 *   say) never blocks the others. Missing names are reported by the nodes view instead.</li>
 * </ul>
 * When the transport cannot take more (a slow reader), pushes stop and resume on the transport's ready signal,
 * coalesced to the newest snapshot.
 */
final class XdsStream implements StreamObserver<DiscoveryRequest> {
    private static final Logger LOG = Logger.getLogger(XdsStream.class.getName());

    /** What a stream needs from its server. */
    interface Hub {
        /** The group a node of {@code peer} belongs to; fails if the node contradicts its credential. */
        String groupOf(XdsCredentials.Peer peer, Node node) throws StatusException;

        /** Adds the stream to its group's fan-out; returns the group's snapshot, or null if it has none yet. */
        XdsSnapshot join(String group, XdsStream stream);

        void leave(String group, XdsStream stream);

        XdsNodes registry();

        Clock clock();
    }

    /** What the nodes view reads of a stream; replaced, never changed, after every task. */
    record View(String nodeId, String clusterId, String group, Instant connectedAt, Instant lastRequestAt,
                  Map<XdsType, Subscription.Status> types) {
    }

    private final long id;
    private final XdsCredentials.Peer peer;
    private final ServerCallStreamObserver<byte[]> out;
    private final XdsType only;
    private final Hub hub;
    private final SerialExecutor serial;
    private final Instant connectedAt;
    private final Map<XdsType, Subscription> subscriptions = new EnumMap<>(XdsType.class);

    private Node node;
    private String group;
    private XdsSnapshot snapshot;
    private long nonces;
    private boolean closed;
    private boolean blocked;
    private Instant lastRequestAt;
    private volatile View view;

    /**
     * @param only the one type a single-type service streams, or null for ADS
     */
    XdsStream(long id, XdsCredentials.Peer peer, StreamObserver<byte[]> responses, XdsType only, Hub hub,
              Executor pool) {
        this.id = id;
        this.peer = peer;
        this.out = (ServerCallStreamObserver<byte[]>) responses;
        this.only = only;
        this.hub = hub;
        this.serial = new SerialExecutor(pool);
        this.connectedAt = hub.clock().instant();
        out.setOnReadyHandler(() -> serial.execute(this::resume));
        out.setOnCancelHandler(() -> serial.execute(() -> finish(null)));
    }

    long id() {
        return id;
    }

    XdsCredentials.Peer peer() {
        return peer;
    }

    /** The node's id, "" before the first request; for the stream's own executor (and so its hub callbacks). */
    String nodeId() {
        return node == null ? "" : node.getId();
    }

    /** Null until the first request named the node. */
    View view() {
        return view;
    }

    @Override
    public void onNext(DiscoveryRequest request) {
        serial.execute(() -> handle(request));
    }

    @Override
    public void onError(Throwable t) {
        serial.execute(() -> finish(null));
    }

    @Override
    public void onCompleted() {
        serial.execute(() -> finish(Status.OK));
    }

    /** A new snapshot of the stream's group. */
    void offer(XdsSnapshot s) {
        serial.execute(() -> {
            snapshot = s;
            pushAll();
        });
    }

    /** Ends the stream from the server's side, e.g. when its credential was revoked. */
    void close(Status why) {
        serial.execute(() -> finish(why));
    }

    private void handle(DiscoveryRequest request) {
        if (closed) {
            return;
        }
        XdsType type = only != null ? only : XdsType.ofUrl(request.getTypeUrl());
        if (only != null && !request.getTypeUrl().isEmpty() && !only.typeUrl().equals(request.getTypeUrl())) {
            finish(Status.INVALID_ARGUMENT.withDescription("this stream serves " + only.typeUrl() + " only"));
            return;
        }
        if (node == null && !identify(request)) {
            return;
        }
        Instant now = hub.clock().instant();
        lastRequestAt = now;
        if (type == null) {
            // A type we do not serve (Envoy asks only for what its config uses): nothing to send, keep the stream.
            LOG.fine(() -> "xDS stream " + id + ": no such type " + LogText.of(request.getTypeUrl()));
            publish();
            return;
        }
        Subscription s = subscriptions.computeIfAbsent(type, t -> new Subscription());
        String nonce = request.getResponseNonce();
        if (!nonce.isEmpty() && s.sentNonce != null && !nonce.equals(s.sentNonce)) {
            return; // stale: the node will answer the latest response with its current names
        }
        boolean answersLatest = !nonce.isEmpty() && nonce.equals(s.sentNonce);
        if (request.hasErrorDetail()) {
            s.lastNack = new EnvoyNode.Nack(type.shortName(), request.getVersionInfo(),
                    request.getErrorDetail().getMessage(), now);
            s.rejected = true;
            s.awaitingAck = false;
            hub.registry().nacked(type);
            LOG.warning(() -> "Envoy " + LogText.of(node.getId()) + " (cluster " + peer.clusterId() + ") rejected "
                    + type.shortName() + " version " + LogText.of(s.sentVersion) + ", keeps '"
                    + LogText.of(request.getVersionInfo()) + "': " + LogText.of(request.getErrorDetail().getMessage()));
        } else if (answersLatest) {
            s.heldVersion = s.sentVersion;
            s.heldNames = s.sentNames;
            s.heldSince = now;
            s.resumed = false;
            s.rejected = false;
            s.awaitingAck = false;
            hub.registry().acked();
        } else if (s.sentNonce == null && !request.getVersionInfo().isEmpty()) {
            resume(type, s, request, now);
        }
        boolean wildcard = type.wildcard() && (request.getResourceNamesCount() == 0
                || request.getResourceNamesList().contains("*"));
        List<String> names = wildcard ? List.of() : List.copyOf(request.getResourceNamesList());
        if (wildcard != s.wildcard || !names.equals(s.names)) {
            s.wildcard = wildcard;
            s.names = names;
            s.requestedAt = now;
        } else if (s.requestedAt == null) {
            s.requestedAt = now;
        }
        push(type, s);
        publish();
    }

    /** The first request names the node and so the group; one that contradicts the credential ends the stream. */
    private boolean identify(DiscoveryRequest request) {
        if (!request.hasNode()) {
            finish(Status.INVALID_ARGUMENT.withDescription("the first request of a stream must carry the node"));
            return false;
        }
        try {
            group = hub.groupOf(peer, request.getNode());
        } catch (StatusException e) {
            hub.registry().refusedClaim();
            finish(e.getStatus());
            return false;
        }
        node = request.getNode();
        snapshot = hub.join(group, this);
        hub.registry().joined(this);
        return true;
    }

    /** The node held {@code request}'s version before this stream: at our version, it holds what it names. */
    private void resume(XdsType type, Subscription s, DiscoveryRequest request, Instant now) {
        s.heldVersion = request.getVersionInfo();
        s.heldSince = now;
        s.resumed = true;
        TypeSnapshot current = snapshot == null ? null : snapshot.type(type);
        if (current != null && current.version().equals(s.heldVersion)) {
            boolean wildcard = type.wildcard() && (request.getResourceNamesCount() == 0
                    || request.getResourceNamesList().contains("*"));
            Set<String> held = new HashSet<>(wildcard ? current.resources().keySet()
                    : request.getResourceNamesList());
            held.retainAll(current.resources().keySet());
            s.heldNames = Set.copyOf(held);
        }
    }

    private void pushAll() {
        if (closed) {
            return;
        }
        for (XdsType t : XdsType.values()) {
            Subscription s = subscriptions.get(t);
            if (s != null) {
                push(t, s);
            }
        }
        publish();
    }

    private void resume() {
        if (blocked) {
            blocked = false;
            pushAll();
        }
    }

    /** Sends {@code type} if what the node would hold differs from what we serve. */
    private void push(XdsType type, Subscription s) {
        if (closed || snapshot == null) {
            return;
        }
        TypeSnapshot current = snapshot.type(type);
        String knownVersion = s.sentVersion != null ? s.sentVersion : s.heldVersion;
        Set<String> knownNames = s.sentVersion != null ? s.sentNames : s.heldNames;
        boolean needed;
        if (!s.wildcard && s.names.isEmpty() && !type.wildcard()) {
            needed = false; // subscribed to nothing of a named type
        } else if (knownVersion == null || !knownVersion.equals(current.version())) {
            needed = true;
        } else if (s.wildcard) {
            needed = !knownNames.containsAll(current.resources().keySet());
        } else {
            needed = false;
            for (String n : s.names) {
                if (current.resources().containsKey(n) && !knownNames.contains(n)) {
                    needed = true;
                    break;
                }
            }
        }
        if (!needed) {
            return;
        }
        if (!out.isReady()) {
            blocked = true;
            return;
        }
        TypeSnapshot.Body body = s.wildcard ? current.all() : current.named(s.names);
        if (body.names().isEmpty() && !type.wildcard()) {
            // Endpoints, routes and secrets have no deletion by omission: an empty answer tells the node nothing.
            return;
        }
        String nonce = Long.toString(++nonces);
        out.onNext(TypeSnapshot.withNonce(body, nonce));
        s.sentVersion = current.version();
        s.sentNonce = nonce;
        s.sentNames = body.names();
        s.sentAt = hub.clock().instant();
        s.awaitingAck = true;
        hub.registry().sent();
    }

    /** @param why how the server ends the stream; null when the client ended it (error or cancel) */
    private void finish(Status why) {
        if (closed) {
            return;
        }
        closed = true;
        if (group != null) {
            hub.leave(group, this);
            hub.registry().left(this);
        }
        if (why == null) {
            return;
        }
        try {
            if (why.isOk()) {
                out.onCompleted();
            } else {
                out.onError(why.asRuntimeException());
            }
        } catch (RuntimeException e) {
            // the call is already gone
        }
    }

    private void publish() {
        if (node == null) {
            return;
        }
        Map<XdsType, Subscription.Status> types = new EnumMap<>(XdsType.class);
        subscriptions.forEach((t, s) -> types.put(t, s.status()));
        view = new View(node.getId(), peer.clusterId(), group, connectedAt, lastRequestAt, types);
    }
}
