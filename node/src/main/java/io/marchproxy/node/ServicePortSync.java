package io.marchproxy.node;

import io.marchproxy.control.config.ConfigChange;
import io.marchproxy.control.config.ConfigChangeListener;
import io.marchproxy.control.config.ConfigPublisher;
import io.marchproxy.control.config.ResolvedConfig;
import io.marchproxy.control.model.Cluster;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.dataplane.bpf.XskProgram;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps the XDP program's service map equal to the active tcp and udp services of one cluster (by name): on every
 * config change it resolves the cluster and adds or removes only the (protocol, port) entries that differ. http and
 * https services are Envoy's (xDS) and stay out of the L4 map.
 *
 * <p>Called on the publisher's dispatch thread; {@link #appliedVersion()} and {@link #serviceCount()} may be read from
 * any thread.
 */
public final class ServicePortSync implements ConfigChangeListener
{
    private static final System.Logger LOG = System.getLogger(ServicePortSync.class.getName());

    private final ConfigStore store;
    private final ConfigPublisher publisher;
    private final String clusterName;
    private final XskProgram program;
    /** (protocol << 16 | port) -> service id, as written to the map. */
    private final Map<Integer, Integer> installed = new HashMap<>();
    /** Service UUID -> the small id the XDP map carries; ids of deleted services are dropped, never reused. */
    private final Map<String, Integer> serviceIds = new HashMap<>();
    private int nextServiceId = 1;
    private volatile long appliedVersion = -1;
    private volatile int serviceCount;

    public ServicePortSync(
        final ConfigStore store, final ConfigPublisher publisher, final String clusterName, final XskProgram program)
    {
        this.store = store;
        this.publisher = publisher;
        this.clusterName = clusterName;
        this.program = program;
    }

    @Override
    public void onConfigChange(final ConfigChange change)
    {
        apply();
    }

    /** Brings the map up to date with the store now. */
    public synchronized void apply()
    {
        final Optional<Cluster> cluster = store.state().list(EntityKind.CLUSTER).stream()
            .filter(c -> c.name().equals(clusterName)).findFirst();
        final Optional<ResolvedConfig> config = cluster.flatMap(c -> publisher.resolve(c.id()));
        final Map<Integer, Integer> wanted = new HashMap<>();
        final Set<String> live = new HashSet<>();
        config.ifPresent(c ->
        {
            if (c.settings().active())
            {
                for (final ResolvedConfig.ServiceEntry s : c.services())
                {
                    final int proto = switch (s.protocol().toLowerCase(Locale.ROOT))
                    {
                        case "tcp" -> XskProgram.IPPROTO_TCP;
                        case "udp" -> XskProgram.IPPROTO_UDP;
                        default -> 0;
                    };
                    if (proto != 0)
                    {
                        live.add(s.id());
                        wanted.put(proto << 16 | s.port(), serviceIds.computeIfAbsent(s.id(), id -> nextServiceId++));
                    }
                }
            }
        });
        installed.entrySet().removeIf(e ->
        {
            if (!e.getValue().equals(wanted.get(e.getKey())))
            {
                program.removeService(e.getKey() >>> 16, e.getKey() & 0xffff);
                return true;
            }
            return false;
        });
        wanted.forEach((key, id) ->
        {
            if (!installed.containsKey(key))
            {
                program.putService(key >>> 16, key & 0xffff, id);
                installed.put(key, id);
            }
        });
        serviceIds.keySet().retainAll(live);
        serviceCount = installed.size();
        final long version = config.map(ResolvedConfig::version).orElse(store.state().configVersion());
        if (version != appliedVersion)
        {
            appliedVersion = version;
            LOG.log(System.Logger.Level.INFO, "dataplane: config version " + version + " applied to cluster '" +
                clusterName + "': " + installed.size() + " L4 service port(s)" +
                (cluster.isEmpty() ? " (no cluster of that name yet)" : ""));
        }
    }

    /** The config version the map reflects, -1 before the first {@link #apply()}. */
    public long appliedVersion()
    {
        return appliedVersion;
    }

    /** L4 service ports in the map. */
    public int serviceCount()
    {
        return serviceCount;
    }
}
