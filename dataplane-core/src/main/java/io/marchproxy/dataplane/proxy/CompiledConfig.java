package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.acl.AccessPolicy;
import io.marchproxy.dataplane.balance.Backend;
import io.marchproxy.dataplane.balance.BackendSelector;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.service.ServiceTable;

/**
 * A {@link ProxyConfig} made ready for the dataplane thread, off that thread: the service table, the compiled access
 * policy, a fresh backend selector per service, and arrays indexed by service index for the per-packet path.
 * Immutable once published, except the selectors and statistics, which the dataplane thread alone writes after it
 * adopted this configuration.
 */
final class CompiledConfig
{
    private final ProxyConfig source;
    private final ServiceTable services;
    private final AccessPolicy policy;
    private final ProxyService[] byIndex;
    private final BackendSelector[] selectors;
    private final IpAddress[][] backendAddresses;
    private final int[][] backendPorts;
    private final boolean[] clientAffinity;
    private final boolean[] offload;
    private final boolean[][] backendEnabled;
    private final ProxyStatistics statistics;
    private final int maxIndex;

    CompiledConfig(final ProxyConfig source, final ProxyStatistics previousStatistics)
    {
        this.source = source;
        int max = -1;
        for (final ProxyService s : source.services())
        {
            max = Math.max(max, s.index());
        }
        this.maxIndex = max;
        this.byIndex = new ProxyService[max + 1];
        this.selectors = new BackendSelector[max + 1];
        this.backendAddresses = new IpAddress[max + 1][];
        this.backendPorts = new int[max + 1][];
        this.clientAffinity = new boolean[max + 1];
        this.offload = new boolean[max + 1];
        this.backendEnabled = new boolean[max + 1][];
        final ServiceTable.Builder table = ServiceTable.builder();
        for (final ProxyService s : source.services())
        {
            final int i = s.index();
            byIndex[i] = s;
            clientAffinity[i] = s.clientAffinity();
            offload[i] = s.offload();
            backendEnabled[i] = new boolean[s.backends().size()];
            table.add(s.vip(), s.protocol(), s.ports(), i);
            selectors[i] = s.algorithm().selector(s.backends());
            backendAddresses[i] = new IpAddress[s.backends().size()];
            backendPorts[i] = new int[s.backends().size()];
            for (int b = 0; b < s.backends().size(); b++)
            {
                final Backend backend = s.backends().get(b);
                backendAddresses[i][b] = backend.address();
                backendPorts[i][b] = backend.port();
                backendEnabled[i][b] = backend.enabled();
            }
        }
        this.services = table.build();
        this.policy = AccessPolicy.compile(source.rules(), source.defaultAction());
        this.statistics = new ProxyStatistics(source.services(), max, previousStatistics);
    }

    ProxyConfig source()
    {
        return source;
    }

    long version()
    {
        return source.version();
    }

    ServiceTable services()
    {
        return services;
    }

    AccessPolicy policy()
    {
        return policy;
    }

    ProxyStatistics statistics()
    {
        return statistics;
    }

    int maxServiceIndex()
    {
        return maxIndex;
    }

    ProxyService service(final int index)
    {
        return index >= 0 && index < byIndex.length ? byIndex[index] : null;
    }

    /** The selector of a service, null for an index no service has. */
    BackendSelector selector(final int index)
    {
        return index >= 0 && index < selectors.length ? selectors[index] : null;
    }

    /** What the selector of a new flow hashes: the client's address alone, or the whole tuple. */
    long flowHash(final int service, final io.marchproxy.dataplane.net.FlowTuple tuple)
    {
        if (!clientAffinity[service])
        {
            return tuple.hash();
        }
        final long h = (tuple.sourceHi() * 0x9E3779B97F4A7C15L) ^ tuple.sourceLo();
        return (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L;
    }

    /** Whether the service of {@code index} has its flows offloaded; false for an index no service has. */
    boolean offload(final int index)
    {
        return index >= 0 && index < offload.length && offload[index];
    }

    /** Whether the backend at {@code backend} of service {@code service} exists and is enabled. */
    boolean backendEnabled(final int service, final int backend)
    {
        final boolean[] e = service >= 0 && service < backendEnabled.length ? backendEnabled[service] : null;
        return e != null && backend >= 0 && backend < e.length && e[backend];
    }

    int backendCount(final int index)
    {
        return index >= 0 && index < backendAddresses.length && backendAddresses[index] != null
            ? backendAddresses[index].length : 0;
    }

    IpAddress backendAddress(final int service, final int backend)
    {
        final IpAddress[] a = service < backendAddresses.length ? backendAddresses[service] : null;
        return a == null || backend >= a.length ? null : a[backend];
    }

    /**
     * The backend port of a flow to {@code destinationPort}: the backend's port for a single-port service; for a
     * port-range service the same offset into a range starting at the backend's port (VIP ports 8000-8099 to a
     * backend at 9000 map to 9000-9099).
     */
    int backendPort(final int service, final int backend, final int destinationPort)
    {
        final int base = backendPorts[service][backend];
        final ProxyService s = byIndex[service];
        return s.ports().isSinglePort() ? base : base + destinationPort - s.ports().first();
    }
}
