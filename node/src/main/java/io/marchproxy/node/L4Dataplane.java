package io.marchproxy.node;

import io.marchproxy.control.config.ConfigChange;
import io.marchproxy.control.config.ConfigChangeListener;
import io.marchproxy.control.config.ConfigPublisher;
import io.marchproxy.control.config.ResolvedConfig;
import io.marchproxy.control.model.Cluster;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.dataplane.proxy.L4Proxy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Keeps the node's L4 proxy serving its cluster (by name) from the node's own store: on every config change that
 * touches the cluster it resolves the cluster's configuration and hands it to a {@link ClusterProxy}, which compiles
 * it and applies it whole while traffic flows. Records how long each change took from its commit in the store to the
 * dataplane serving it.
 *
 * <p>Called on the publisher's dispatch thread (and once at start); the getters may be read from any thread.
 */
public final class L4Dataplane implements ConfigChangeListener
{
    private static final System.Logger LOG = System.getLogger(L4Dataplane.class.getName());

    private final ConfigStore store;
    private final ConfigPublisher publisher;
    private final String clusterName;
    private final ClusterProxy served;
    private final Clock clock;
    private final ApplyLatency latency = new ApplyLatency();

    public L4Dataplane(
        final ConfigStore store, final ConfigPublisher publisher, final String clusterName, final L4Proxy proxy,
        final Clock clock)
    {
        this.store = store;
        this.publisher = publisher;
        this.clusterName = clusterName;
        this.served = new ClusterProxy(proxy, clusterName);
        this.clock = clock;
    }

    @Override
    public void onConfigChange(final ConfigChange change)
    {
        final Optional<Cluster> cluster = cluster();
        if (cluster.isPresent() && !change.affects(cluster.get().id()) && served.appliedVersion() >= 0)
        {
            return;
        }
        apply(change.at());
    }

    private Optional<Cluster> cluster()
    {
        return store.state().list(EntityKind.CLUSTER).stream().filter(c -> c.name().equals(clusterName)).findFirst();
    }

    /** Brings the proxy up to date with the store now; {@code committedAt} is when the change was committed. */
    public synchronized void apply(final Instant committedAt)
    {
        final Optional<ResolvedConfig> resolved = cluster().flatMap(c -> publisher.resolve(c.id()));
        final long version = resolved.map(ResolvedConfig::version).orElse(store.state().configVersion());
        try
        {
            served.serve(resolved.orElse(null), version);
        }
        catch (final Exception ex)
        {
            LOG.log(System.Logger.Level.ERROR, "dataplane: config version " + version + " not applied: "
                + ex.getMessage(), ex);
            return;
        }
        if (committedAt != null)
        {
            latency.record(Duration.between(committedAt, clock.instant()));
        }
    }

    /** The config version the proxy serves, -1 before the first {@link #apply}. */
    public long appliedVersion()
    {
        return served.appliedVersion();
    }

    /** L4 services served. */
    public int serviceCount()
    {
        return served.serviceCount();
    }

    /** Services of the cluster the proxy cannot serve, with why. */
    public List<String> leftOut()
    {
        return served.leftOut();
    }

    /** What the proxy serves. */
    public ClusterProxy served()
    {
        return served;
    }

    /** Commit-to-served times of the changes applied so far. */
    public ApplyLatency latency()
    {
        return latency;
    }
}
