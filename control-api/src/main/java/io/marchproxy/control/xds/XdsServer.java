package io.marchproxy.control.xds;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.marchproxy.control.config.ConfigChange;
import io.marchproxy.control.config.ConfigPublisher;
import io.marchproxy.control.config.ResolvedConfig;
import io.marchproxy.control.model.Cluster;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * java-control-plane's V3 discovery server (ADS and the separate CDS/EDS/LDS/RDS/SDS services) on its own gRPC
 * listener. Envoys are grouped by MarchProxy cluster (node metadata {@code marchproxy_cluster}, else
 * {@code node.cluster}, by cluster id or name), proxyless gRPC clients (metadata {@code marchproxy_client: grpc})
 * into a second group per cluster; each group gets one snapshot, rebuilt on a single builder thread
 * whenever a config change affects the cluster. Every cluster's snapshot is built before the listener opens, so a
 * restarted server offers reconnecting Envoys the versions they already hold.
 */
public final class XdsServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(XdsServer.class.getName());
    /** Group of nodes naming no known cluster; it never gets a snapshot, so they wait. */
    static final String UNKNOWN_PREFIX = "unknown:";

    private final ConfigStore store;
    private final ConfigPublisher publisher;
    private final SimpleCache<String> cache;
    private final NodeRegistry registry;
    private final ExecutorService builder;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final XdsSettings settings;
    private final Map<String, List<LeftOut>> leftOut = new ConcurrentHashMap<>();
    private final CertificateValidityTimer validity;
    private AutoCloseable subscription;
    private Server server;

    private XdsServer(ConfigStore store, ConfigPublisher publisher, XdsSettings settings, Clock clock) {
        this.store = store;
        this.publisher = publisher;
        this.settings = settings;
        this.cache = new SimpleCache<>(this::group);
        this.registry = new NodeRegistry(clock, this::group);
        this.builder = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "xds-snapshot-builder");
            t.setDaemon(true);
            return t;
        });
        this.validity = new CertificateValidityTimer(clock, this::requestRebuild);
    }

    /** Builds every cluster's snapshot, subscribes to config changes, then opens the gRPC listener. */
    public static XdsServer start(ConfigStore store, ConfigPublisher publisher, XdsSettings settings, Clock clock) {
        XdsServer x = new XdsServer(store, publisher, settings, clock);
        try {
            TranslatorWarmup.run();
            x.subscription = publisher.subscribe(x::onConfigChange);
            for (Cluster c : store.state().list(EntityKind.CLUSTER)) {
                x.rebuild(c.id());
            }
            x.server = listen(settings, new V3DiscoveryServer(List.of(x.registry),
                    new ResumingWatcher(x.cache, r -> x.group(r.v3Request().getNode()))));
            return x;
        } catch (Exception e) {
            x.close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException("xDS server did not start", e);
        }
    }

    /**
     * grpc-java's Netty server rather than Helidon's gRPC: Helidon 4.5.0's HTTP/2 outbound flow control stalls an
     * ADS stream once Envoy's large windows are in play (helidon-io/helidon#9589). Envoy pings every 10 s, which the
     * server must permit.
     */
    private static Server listen(XdsSettings settings, V3DiscoveryServer discovery) {
        try {
            return NettyServerBuilder.forAddress(new InetSocketAddress(settings.host(), settings.port()),
                            InsecureServerCredentials.create())
                    .permitKeepAliveTime(5, TimeUnit.SECONDS)
                    .permitKeepAliveWithoutCalls(true)
                    .addService(discovery.getAggregatedDiscoveryServiceImpl())
                    .addService(discovery.getClusterDiscoveryServiceImpl())
                    .addService(discovery.getEndpointDiscoveryServiceImpl())
                    .addService(discovery.getListenerDiscoveryServiceImpl())
                    .addService(discovery.getRouteDiscoveryServiceImpl())
                    .addService(discovery.getSecretDiscoveryServiceImpl())
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for xDS on " + settings.host() + ":" + settings.port(), e);
        }
    }

    /** The group a node belongs to: the id of the MarchProxy cluster it names. */
    String group(Node node) {
        var meta = node.getMetadata().getFieldsMap();
        String ref = meta.containsKey(XdsNames.CLUSTER_METADATA_KEY)
                ? meta.get(XdsNames.CLUSTER_METADATA_KEY).getStringValue() : node.getCluster();
        boolean proxyless = meta.containsKey(ProxylessResources.CLIENT_METADATA_KEY)
                && ProxylessResources.GRPC_CLIENT.equals(meta.get(ProxylessResources.CLIENT_METADATA_KEY)
                .getStringValue());
        return clusterByIdOrName(ref).map(c -> proxyless ? ProxylessResources.GROUP_PREFIX + c.id() : c.id())
                .orElse(UNKNOWN_PREFIX + ref);
    }

    Optional<Cluster> clusterByIdOrName(String ref) {
        var state = store.state();
        return state.get(EntityKind.CLUSTER, ref).or(() -> state.list(EntityKind.CLUSTER).stream()
                .filter(c -> c.name().equals(ref)).findFirst());
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
            Optional<ResolvedConfig> config = publisher.resolve(clusterId);
            EnvoyResources resources = config.map(c -> EnvoyTranslator.translate(c, settings.dnsLookupFamily()))
                    .orElse(EnvoyResources.EMPTY);
            Snapshot snapshot = ClusterSnapshots.snapshot(resources);
            snapshot.ensureConsistent();
            if (resources.leftOut().isEmpty()) {
                leftOut.remove(clusterId);
            } else {
                leftOut.put(clusterId, resources.leftOut());
                LOG.warning(() -> "cluster " + clusterId + ": services left out of Envoy config: "
                        + resources.leftOut());
            }
            validity.track(clusterId, config.orElse(null));
            cache.setSnapshot(clusterId, snapshot);
            // API listeners are not reached through filter chains, which is all java-control-plane's consistency
            // check follows; the proxyless snapshot is consistent by construction (one route config per listener).
            cache.setSnapshot(ProxylessResources.GROUP_PREFIX + clusterId, ClusterSnapshots.snapshot(
                    config.map(ProxylessResources::translate).orElse(EnvoyResources.EMPTY)));
        } catch (Exception e) {
            // Envoys keep the last good snapshot; the next change retries.
            LOG.log(Level.SEVERE, "cannot build the Envoy snapshot of cluster " + clusterId, e);
        }
    }

    /** The snapshot currently served to a group, if any. */
    public Optional<Snapshot> snapshot(String clusterId) {
        return Optional.ofNullable(cache.getSnapshot(clusterId));
    }

    public List<EnvoyNode> nodes() {
        return registry.nodes();
    }

    public Map<String, Long> nacks() {
        return registry.nacks();
    }

    /** Per cluster id, the active services its Envoys do not serve and why; clusters without any are absent. */
    public Map<String, List<LeftOut>> leftOut() {
        return new TreeMap<>(leftOut);
    }

    /** Prometheus text: connected nodes, services left out, ACKs, and NACKs by resource type. */
    public void writeMetrics(StringBuilder out) {
        out.append("# HELP marchproxy_xds_nodes Envoys and gRPC clients connected to the xDS server.\n")
                .append("# TYPE marchproxy_xds_nodes gauge\n")
                .append("marchproxy_xds_nodes ").append(registry.nodes().size()).append('\n')
                .append("# HELP marchproxy_xds_services_left_out Active services Envoys do not serve, all clusters"
                        + " (GET /api/v1/envoy/nodes says which and why).\n")
                .append("# TYPE marchproxy_xds_services_left_out gauge\n")
                .append("marchproxy_xds_services_left_out ")
                .append(leftOut.values().stream().mapToInt(List::size).sum()).append('\n')
                .append("# HELP marchproxy_xds_acks_total xDS responses accepted by nodes.\n")
                .append("# TYPE marchproxy_xds_acks_total counter\n")
                .append("marchproxy_xds_acks_total ").append(registry.acks()).append('\n')
                .append("# HELP marchproxy_xds_nacks_total xDS responses rejected by nodes, by resource type.\n")
                .append("# TYPE marchproxy_xds_nacks_total counter\n");
        Map<String, Long> nacks = registry.nacks();
        for (String type : List.of("cds", "eds", "lds", "rds", "sds")) {
            out.append("marchproxy_xds_nacks_total{type=\"").append(type).append("\"} ")
                    .append(nacks.getOrDefault(type, 0L)).append('\n');
        }
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
        builder.shutdownNow();
        try {
            builder.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
