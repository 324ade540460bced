package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.acl.AccessPolicy;
import io.marchproxy.dataplane.balance.Backend;
import io.marchproxy.dataplane.balance.BackendSelector;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.qos.EgressScheduler;
import io.marchproxy.dataplane.qos.PriorityClass;
import io.marchproxy.dataplane.qos.QosSettings;
import io.marchproxy.dataplane.qos.ServiceQos;
import io.marchproxy.dataplane.service.ServiceTable;

/**
 * A {@link ProxyConfig} made ready for the dataplane thread, off that thread: the service table, the compiled access
 * policy, a fresh backend selector per service, and arrays indexed by service index for the per-packet path (backends,
 * and each service's QoS resolved against the node's {@link QosSettings}: class, DSCP, delay bound, rates). Immutable
 * once published, except the selectors and statistics, which the dataplane thread alone writes after it adopted this
 * configuration. {@link #sequence()} numbers the configurations one proxy applied, in order.
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
    private final long sequence;
    private final int[] qosClass;
    private final int[] dscp;
    private final long[] maxDelayNanos;
    private final long[] ingressBitsPerSecond;
    private final long[] egressBitsPerSecond;
    private final long[] ingressBurst;
    private final long[] egressBurst;
    /** For flows of services this configuration no longer has: the default class and its bound, no mark, no limit. */
    private final int defaultClass;
    private final long defaultDelayNanos;

    /**
     * @param sequence this configuration's number among those the proxy applied (1, 2, ...): what the XDP program
     *                 stamps on the frames it steers under it
     */
    CompiledConfig(
        final ProxyConfig source, final ProxyStatistics previousStatistics, final QosSettings qos, final long sequence)
    {
        this.source = source;
        this.sequence = sequence;
        this.defaultClass = qos.defaultClass().ordinal();
        this.defaultDelayNanos = qos.of(qos.defaultClass()).maxDelay().toNanos();
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
        this.qosClass = new int[max + 1];
        this.dscp = new int[max + 1];
        this.maxDelayNanos = new long[max + 1];
        this.ingressBitsPerSecond = new long[max + 1];
        this.egressBitsPerSecond = new long[max + 1];
        this.ingressBurst = new long[max + 1];
        this.egressBurst = new long[max + 1];
        final ServiceTable.Builder table = ServiceTable.builder();
        for (final ProxyService s : source.services())
        {
            final int i = s.index();
            byIndex[i] = s;
            clientAffinity[i] = s.clientAffinity();
            // A service with a QoS policy (rates, class, DSCP) keeps every frame on the Java path, whose egress
            // shapes, queues and marks it; the XDP program's forwarding does none of that.
            offload[i] = s.offload() && (s.qos() == null || !qos.enabled());
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
            resolveQos(i, s.qos(), qos);
        }
        this.services = table.build();
        this.policy = AccessPolicy.compile(source.rules(), source.defaultAction());
        this.statistics = new ProxyStatistics(source.services(), max, previousStatistics);
    }

    /** A service's policy against the node's classes; a service without one: default class, unmarked, unlimited. */
    private void resolveQos(final int i, final ServiceQos policy, final QosSettings qos)
    {
        final PriorityClass c = policy == null ? qos.defaultClass() : policy.priority();
        qosClass[i] = c.ordinal();
        dscp[i] = policy == null ? -1 : policy.dscp() >= 0 ? policy.dscp() : qos.of(c).dscp();
        final long bound = (policy == null || policy.maxDelay() == null ? qos.of(c).maxDelay() : policy.maxDelay())
            .toNanos();
        maxDelayNanos[i] = Math.min(bound, EgressScheduler.HORIZON.toNanos());
        if (policy != null)
        {
            ingressBitsPerSecond[i] = policy.ingressBitsPerSecond();
            egressBitsPerSecond[i] = policy.egressBitsPerSecond();
            ingressBurst[i] = policy.burstFor(policy.ingressBitsPerSecond());
            egressBurst[i] = policy.burstFor(policy.egressBitsPerSecond());
        }
    }

    ProxyConfig source()
    {
        return source;
    }

    long sequence()
    {
        return sequence;
    }

    private boolean known(final int service)
    {
        return service >= 0 && service < byIndex.length && byIndex[service] != null;
    }

    /** The priority class (ordinal) of a service's packets. */
    int qosClass(final int service)
    {
        return known(service) ? qosClass[service] : defaultClass;
    }

    /** The DSCP a service's packets are marked with, -1 for none. */
    int dscp(final int service)
    {
        return known(service) ? dscp[service] : -1;
    }

    /** The longest a service's packet may wait in the node. */
    long maxDelayNanos(final int service)
    {
        return known(service) ? maxDelayNanos[service] : defaultDelayNanos;
    }

    /** A service's rate toward its backends ({@code toBackends}) or its clients, 0 for unlimited (or unknown). */
    long rate(final int service, final boolean toBackends)
    {
        if (!known(service))
        {
            return 0;
        }
        return toBackends ? ingressBitsPerSecond[service] : egressBitsPerSecond[service];
    }

    /** The bucket size that goes with {@link #rate}. */
    long burst(final int service, final boolean toBackends)
    {
        return toBackends ? ingressBurst[service] : egressBurst[service];
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
