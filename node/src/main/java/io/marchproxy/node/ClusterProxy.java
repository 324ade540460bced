package io.marchproxy.node;

import io.marchproxy.control.config.ResolvedConfig;
import io.marchproxy.dataplane.proxy.L4Proxy;
import io.marchproxy.dataplane.proxy.ProxyConfig;

import java.util.List;

/**
 * The L4 proxy serving one cluster's resolved configuration, wherever that comes from (the node's own store, or the
 * control plane's REST API for an agent): each version is compiled ({@link ProxyConfigCompiler}, indexes stable across
 * versions) and applied whole ({@link L4Proxy#apply}: the dataplane thread adopts it between two batches and the XDP
 * program flips to it in one map update). Remembers the version served, the services served and those left out.
 *
 * <p>{@link #serve} is for one control thread at a time; the getters may be read from any thread.
 */
public final class ClusterProxy
{
    private static final System.Logger LOG = System.getLogger(ClusterProxy.class.getName());

    private final L4Proxy proxy;
    private final String clusterName;
    private final ProxyConfigCompiler compiler = new ProxyConfigCompiler();
    private volatile long appliedVersion = -1;
    private volatile List<String> leftOut = List.of();
    private volatile int services;

    /** @param clusterName how logs name the cluster until a configuration names it */
    public ClusterProxy(final L4Proxy proxy, final String clusterName)
    {
        this.proxy = proxy;
        this.clusterName = clusterName;
    }

    /**
     * Makes the proxy serve {@code resolved}, or nothing when it is null (the cluster does not exist) at
     * {@code versionWithout}. Throws, leaving the proxy on the configuration it served, when the configuration
     * cannot be compiled or applied.
     */
    public synchronized void serve(final ResolvedConfig resolved, final long versionWithout) throws Exception
    {
        final long start = System.nanoTime();
        final ProxyConfigCompiler.Result result = resolved == null ? null : compiler.compile(resolved);
        final ProxyConfig config = result == null
            ? new ProxyConfig(versionWithout, List.of(), List.of(), ProxyConfig.EMPTY.defaultAction())
            : result.config();
        proxy.apply(config);
        final List<String> out = result == null ? List.of() : List.copyOf(result.leftOut());
        if (config.version() != appliedVersion || !out.equals(leftOut))
        {
            LOG.log(System.Logger.Level.INFO, "dataplane: config version " + config.version() + " applied to cluster '"
                + (resolved == null ? clusterName : resolved.clusterName()) + "': " + config.services().size()
                + " L4 service(s) in " + String.format("%.1f ms", (System.nanoTime() - start) / 1e6)
                + (resolved == null ? " (no cluster of that name yet)" : "")
                + (out.isEmpty() ? "" : "; left out: " + out));
        }
        leftOut = out;
        services = config.services().size();
        appliedVersion = config.version();
    }

    /** The config version the proxy serves, -1 before the first {@link #serve}. */
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

    /** The proxy it configures. */
    public L4Proxy proxy()
    {
        return proxy;
    }
}
