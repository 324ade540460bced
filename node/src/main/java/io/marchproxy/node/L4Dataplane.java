package io.marchproxy.node;

import io.marchproxy.control.config.ConfigChange;
import io.marchproxy.control.config.ConfigChangeListener;
import io.marchproxy.control.config.ConfigPublisher;
import io.marchproxy.control.config.ResolvedConfig;
import io.marchproxy.control.model.Cluster;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.dataplane.proxy.L4Proxy;
import io.marchproxy.dataplane.proxy.ProxyConfig;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Keeps the node's L4 proxy serving its cluster (by name): on every config change that touches the cluster it
 * resolves the cluster's configuration, compiles it ({@link ProxyConfigCompiler}) and applies it to the proxy, which
 * swaps it in whole while traffic flows. Records the version applied, what was left out and how long the change took
 * from its commit in the store to the dataplane serving it.
 *
 * <p>Called on the publisher's dispatch thread (and once at start); the getters may be read from any thread.
 */
public final class L4Dataplane implements ConfigChangeListener
{
    private static final System.Logger LOG = System.getLogger(L4Dataplane.class.getName());

    private final ConfigStore store;
    private final ConfigPublisher publisher;
    private final String clusterName;
    private final L4Proxy proxy;
    private final Clock clock;
    private final ProxyConfigCompiler compiler = new ProxyConfigCompiler();
    private final ApplyLatency latency = new ApplyLatency();
    private volatile long appliedVersion = -1;
    private volatile List<String> leftOut = List.of();
    private volatile int services;

    public L4Dataplane(
        final ConfigStore store, final ConfigPublisher publisher, final String clusterName, final L4Proxy proxy,
        final Clock clock)
    {
        this.store = store;
        this.publisher = publisher;
        this.clusterName = clusterName;
        this.proxy = proxy;
        this.clock = clock;
    }

    @Override
    public void onConfigChange(final ConfigChange change)
    {
        final Optional<Cluster> cluster = cluster();
        if (cluster.isPresent() && !change.affects(cluster.get().id()) && appliedVersion >= 0)
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
        final ProxyConfigCompiler.Result result = resolved.map(compiler::compile).orElse(null);
        final ProxyConfig config = result == null
            ? new ProxyConfig(store.state().configVersion(), List.of(), List.of(), ProxyConfig.EMPTY.defaultAction())
            : result.config();
        try
        {
            proxy.apply(config);
        }
        catch (final Exception ex)
        {
            LOG.log(System.Logger.Level.ERROR, "dataplane: config version " + config.version() + " not applied: "
                + ex.getMessage(), ex);
            return;
        }
        if (committedAt != null)
        {
            latency.record(Duration.between(committedAt, clock.instant()));
        }
        final List<String> out = result == null ? List.of() : result.leftOut();
        if (config.version() != appliedVersion || !out.equals(leftOut))
        {
            LOG.log(System.Logger.Level.INFO, "dataplane: config version " + config.version() + " applied to cluster '"
                + clusterName + "': " + config.services().size() + " L4 service(s)"
                + (resolved.isEmpty() ? " (no cluster of that name yet)" : "")
                + (out.isEmpty() ? "" : "; left out: " + out));
        }
        leftOut = List.copyOf(out);
        services = config.services().size();
        appliedVersion = config.version();
    }

    /** The config version the proxy serves, -1 before the first {@link #apply}. */
    public long appliedVersion()
    {
        return appliedVersion;
    }

    /** L4 services served. */
    public int serviceCount()
    {
        return services;
    }

    /** Services of the cluster the proxy cannot serve, with why. */
    public List<String> leftOut()
    {
        return leftOut;
    }

    /** Commit-to-served times of the changes applied so far. */
    public ApplyLatency latency()
    {
        return latency;
    }
}
