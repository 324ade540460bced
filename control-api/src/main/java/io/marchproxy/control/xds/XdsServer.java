package io.marchproxy.control.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.marchproxy.control.config.ConfigChange;
import io.marchproxy.control.config.ConfigPublisher;
import io.marchproxy.control.config.ResolvedConfig;
import io.marchproxy.control.model.Cluster;
import io.marchproxy.control.observe.MetricFamilies;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;
import io.prometheus.metrics.model.registry.MultiCollector;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The xDS server: state-of-the-world ADS (and the single-type CDS/EDS/LDS/RDS/SDS services) on its own gRPC listener
 * (grpc-java's Netty transport, plain or TLS). Every call must carry a credential of a MarchProxy cluster
 * ({@link XdsCredentials}); the cluster it authenticates is the node's group, so a node sees only its own cluster's
 * resources, and a node whose metadata names another cluster is refused. Proxyless gRPC clients (node metadata
 * {@code marchproxy_client: grpc}) form a second group per cluster.
 *
 * <p>Each group has one {@link XdsSnapshot}, rebuilt on a single builder thread whenever a config change touches the
 * cluster (changes coalesce), encoded once, and offered to every stream of the group; streams run on a pool of
 * {@code max(2, cores)} threads, each stream in order ({@link XdsStream}). Every cluster's snapshot is built before
 * the listener opens, so a restarted server offers reconnecting nodes the versions they already hold. A change of a
 * cluster's API key ends the streams that authenticated with the old one.
 */
public final class XdsServer implements AutoCloseable, XdsStream.Hub {
    private static final Logger LOG = Logger.getLogger(XdsServer.class.getName());

    private final ConfigStore store;
    private final ConfigPublisher publisher;
    private final XdsSettings settings;
    private final XdsCredentials credentials;
    private final Clock clock;
    private final XdsNodes nodes = new XdsNodes();
    private final XdsAuthInterceptor auth;
    private final Map<String, XdsSnapshot> snapshots = new ConcurrentHashMap<>();
    /** Per cluster, its incremental snapshot builder (the builder thread's alone). */
    private final Map<String, ClusterSnapshotBuilder> builders = new ConcurrentHashMap<>();
    private final Map<String, Set<XdsStream>> members = new ConcurrentHashMap<>();
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final ExecutorService builder;
    private final ExecutorService streams;
    private final AtomicLong streamIds = new AtomicLong();
    private final Map<String, List<LeftOut>> leftOut = new ConcurrentHashMap<>();
    private final CertificateValidityTimer validity;
    private AutoCloseable subscription;
    private Server server;

    private XdsServer(ConfigStore store, ConfigPublisher publisher, XdsSettings settings, XdsCredentials credentials,
                      Clock clock) {
        this.store = store;
        this.publisher = publisher;
        this.settings = settings;
        this.credentials = credentials;
        this.clock = clock;
        this.auth = new XdsAuthInterceptor(credentials);
        this.builder = Executors.newSingleThreadExecutor(daemon("xds-snapshot-builder"));
        AtomicInteger n = new AtomicInteger();
        this.streams = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                r -> daemon("xds-stream-" + n.incrementAndGet()).newThread(r));
        this.validity = new CertificateValidityTimer(clock, this::requestRebuild);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Builds every cluster's snapshot, subscribes to config changes, then opens the gRPC listener. */
    public static XdsServer start(ConfigStore store, ConfigPublisher publisher, XdsSettings settings,
                                  XdsCredentials credentials, Clock clock) {
        XdsServer x = new XdsServer(store, publisher, settings, credentials, clock);
        try {
            TranslatorWarmup.run();
            x.subscription = publisher.subscribe(x::onConfigChange);
            for (Cluster c : store.state().list(EntityKind.CLUSTER)) {
                x.rebuild(c.id());
            }
            x.server = x.listen();
            return x;
        } catch (Exception e) {
            x.close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException("xDS server did not start", e);
        }
    }

    /**
     * Envoy pings every 10 s, which the server must permit. grpc-java's Netty server rather than Helidon's gRPC:
     * Helidon 4.5.0's HTTP/2 outbound flow control stalls an ADS stream once Envoy's large windows are in play
     * (helidon-io/helidon#9589).
     */
    private Server listen() {
        ServerCredentials tls = credentials();
        NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(settings.host(), settings.port()),
                        tls)
                .permitKeepAliveTime(5, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .maxInboundMessageSize(4 << 20);
        for (ServerServiceDefinition d : DiscoveryMethods.services(this::open)) {
            b.addService(ServerInterceptors.intercept(d, auth));
        }
        try {
            Server s = b.build().start();
            if (!isLoopback(settings.host())) {
                LOG.warning("xDS listening on " + settings.host() + ":" + s.getPort() + ", reachable from other hosts"
                        + (settings.tls() == null ? " without TLS: credentials travel in clear" : " over TLS"));
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for xDS on " + settings.host() + ":" + settings.port(), e);
        }
    }

    private ServerCredentials credentials() {
        XdsTls t = settings.tls();
        if (t == null) {
            return InsecureServerCredentials.create();
        }
        try {
            TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder()
                    .keyManager(t.certificateChain().toFile(), t.privateKey().toFile());
            if (t.clientCa() != null) {
                b.trustManager(t.clientCa().toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
            }
            return b.build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the xDS TLS files", e);
        }
    }

    /** True when {@code host} names a loopback address, i.e. nothing outside this machine can connect. */
    public static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    private io.grpc.stub.StreamObserver<io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest> open(
            XdsType only, io.grpc.stub.StreamObserver<byte[]> responses) {
        XdsCredentials.Peer peer = XdsAuthInterceptor.PEER.get();
        return new XdsStream(streamIds.incrementAndGet(), peer, responses, only, this, streams);
    }

    @Override
    public String groupOf(XdsCredentials.Peer peer, Node node) throws StatusException {
        var meta = node.getMetadata().getFieldsMap();
        String claimed = meta.containsKey(XdsNames.CLUSTER_METADATA_KEY)
                ? meta.get(XdsNames.CLUSTER_METADATA_KEY).getStringValue() : node.getCluster();
        if (!claimed.isEmpty() && !claimed.equals(peer.clusterId())) {
            Optional<Cluster> own = store.state().get(EntityKind.CLUSTER, peer.clusterId());
            if (own.isEmpty() || !claimed.equals(own.get().name())) {
                throw new StatusException(Status.PERMISSION_DENIED.withDescription(
                        "the node names a cluster other than the one its credential is for"));
            }
        }
        boolean proxyless = meta.containsKey(ProxylessResources.CLIENT_METADATA_KEY)
                && ProxylessResources.GRPC_CLIENT.equals(meta.get(ProxylessResources.CLIENT_METADATA_KEY)
                .getStringValue());
        return proxyless ? ProxylessResources.GROUP_PREFIX + peer.clusterId() : peer.clusterId();
    }

    @Override
    public XdsSnapshot join(String group, XdsStream stream) {
        members.computeIfAbsent(group, g -> ConcurrentHashMap.newKeySet()).add(stream);
        XdsSnapshot s = snapshots.get(group);
        if (s == null && group.startsWith(ProxylessResources.GROUP_PREFIX)) {
            requestRebuild(group.substring(ProxylessResources.GROUP_PREFIX.length()));
        }
        return s;
    }

    @Override
    public void leave(String group, XdsStream stream) {
        members.computeIfPresent(group, (g, set) -> {
            set.remove(stream);
            return set.isEmpty() ? null : set;
        });
    }

    @Override
    public XdsNodes registry() {
        return nodes;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    public Optional<Cluster> clusterByIdOrName(String ref) {
        var state = store.state();
        return state.get(EntityKind.CLUSTER, ref).or(() -> state.list(EntityKind.CLUSTER).stream()
                .filter(c -> c.name().equals(ref)).findFirst());
    }

    /** The xDS token of a cluster (for bootstraps), or empty if it has no key. */
    public Optional<String> tokenFor(Cluster cluster) {
        return credentials.tokenFor(cluster);
    }

    private void onConfigChange(ConfigChange change) {
        change.clusterIds().forEach(this::requestRebuild);
    }

    private void requestRebuild(String clusterId) {
        // Coalesce: a cluster already queued will be built from the newest state anyway.
        if (pending.add(clusterId)) {
            builder.execute(() -> {
                pending.remove(clusterId);
                rebuild(clusterId);
            });
        }
    }

    private void rebuild(String clusterId) {
        try {
            revokeStale(clusterId);
            Optional<ResolvedConfig> config = publisher.resolve(clusterId);
            ClusterSnapshotBuilder b = builders.computeIfAbsent(clusterId,
                    id -> new ClusterSnapshotBuilder(settings.dnsLookupFamily()));
            XdsSnapshot envoy = config.map(b::next).orElseGet(b::empty);
            if (config.isEmpty()) {
                builders.remove(clusterId);
            }
            List<String> dangling = envoy.dangling();
            if (!dangling.isEmpty()) {
                // A translator bug: Envoy would wait for these forever. Keep serving the last good snapshot.
                LOG.severe("cluster " + clusterId + ": snapshot not served, dangling references " + dangling);
                return;
            }
            if (envoy.leftOut().isEmpty()) {
                leftOut.remove(clusterId);
            } else {
                leftOut.put(clusterId, envoy.leftOut());
                LOG.warning(() -> "cluster " + clusterId + ": services left out of Envoy config: " + envoy.leftOut());
            }
            validity.track(clusterId, config.orElse(null));
            publish(clusterId, envoy);
            // Proxyless gRPC clients are rare: their snapshot is built only while one is connected.
            String proxyless = ProxylessResources.GROUP_PREFIX + clusterId;
            if (members.containsKey(proxyless)) {
                publish(proxyless, XdsSnapshot.of(config.map(ProxylessResources::translate)
                        .orElse(EnvoyResources.EMPTY), snapshots.get(proxyless)));
            } else {
                snapshots.remove(proxyless);
            }
        } catch (RuntimeException e) {
            // Nodes keep the last good snapshot; the next change retries.
            LOG.log(Level.SEVERE, "cannot build the Envoy snapshot of cluster " + clusterId, e);
        }
    }

    private void publish(String group, XdsSnapshot snapshot) {
        snapshots.put(group, snapshot);
        for (XdsStream s : members.getOrDefault(group, Set.of())) {
            s.offer(snapshot);
        }
    }

    /** Ends the streams of a cluster whose credential no longer holds: its key was rotated, or it is gone. */
    private void revokeStale(String clusterId) {
        String current = store.state().get(EntityKind.CLUSTER, clusterId).map(Cluster::apiKeyHash).orElse(null);
        for (String group : List.of(clusterId, ProxylessResources.GROUP_PREFIX + clusterId)) {
            for (XdsStream s : members.getOrDefault(group, Set.of())) {
                if (!s.peer().keyHash().equals(current)) {
                    s.close(Status.UNAUTHENTICATED.withDescription("the cluster's credential was revoked"));
                }
            }
        }
    }

    /** The snapshot currently served to a group (a cluster id, or {@code grpc:<id>} for proxyless clients). */
    public Optional<XdsSnapshot> snapshot(String group) {
        return Optional.ofNullable(snapshots.get(group));
    }

    /** Authenticated nodes with open streams, with what they hold and whether they are healthy. */
    public List<EnvoyNode> nodes(Instant now) {
        return nodes.view(snapshots::get, now, settings.stallAfter());
    }

    public List<EnvoyNode> nodes() {
        return nodes(clock.instant());
    }

    public Map<String, Long> nacks() {
        return nodes.nacks();
    }

    /** Per cluster id, the active services its Envoys do not serve and why; clusters without any are absent. */
    public Map<String, List<LeftOut>> leftOut() {
        return new TreeMap<>(leftOut);
    }

    /**
     * The server's metrics, read at scrape time: connected and unhealthy nodes, services left out, responses, ACKs,
     * NACKs, refused calls.
     */
    public MultiCollector metrics() {
        return () -> {
            List<EnvoyNode> view = nodes();
            MetricFamilies f = new MetricFamilies();
            f.gauge("marchproxy_xds_nodes", "Authenticated nodes with an open xDS stream.").add(view.size());
            f.gauge("marchproxy_xds_nodes_unhealthy", "Nodes with a rejected update, an unanswered or "
                    + "unacknowledged subscription, or a warming listener or cluster, past the stall bound.")
                    .add(view.stream().filter(n -> !n.healthy()).count());
            f.counter("marchproxy_xds_responses_total", "xDS responses sent.").add(nodes.responses());
            f.gauge("marchproxy_xds_services_left_out", "Active services Envoys do not serve, all clusters"
                    + " (GET /api/v1/envoy/nodes says which and why).")
                    .add(leftOut.values().stream().mapToInt(List::size).sum());
            f.counter("marchproxy_xds_acks_total", "xDS responses accepted by nodes.").add(nodes.acks());
            MetricFamilies.Family nacks = f.counter("marchproxy_xds_nacks_total",
                    "xDS responses rejected by nodes, by resource type.", "type");
            nodes.nacks().forEach((type, n) -> nacks.add(n, type));
            f.counter("marchproxy_xds_unauthenticated_total",
                    "xDS calls refused for a missing or invalid credential.").add(auth.failures());
            f.counter("marchproxy_xds_wrong_cluster_total",
                    "xDS streams refused because the node named a cluster other than its credential's.")
                    .add(nodes.refusedClaims());
            return f.snapshots();
        };
    }

    public int port() {
        return server.getPort();
    }

    public XdsSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        try {
            if (subscription != null) {
                subscription.close();
            }
        } catch (Exception e) {
            LOG.log(Level.WARNING, "cannot unsubscribe from config changes", e);
        }
        if (server != null) {
            server.shutdownNow();
            try {
                server.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        validity.close();
        for (ExecutorService e : List.of(builder, streams)) {
            e.shutdownNow();
            try {
                e.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
