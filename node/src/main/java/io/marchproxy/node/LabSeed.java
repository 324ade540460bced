package io.marchproxy.node;

import io.marchproxy.control.auth.ClusterKeys;
import io.marchproxy.control.model.AccessAction;
import io.marchproxy.control.model.Backend;
import io.marchproxy.control.model.Cluster;
import io.marchproxy.control.model.HealthCheck;
import io.marchproxy.control.model.LoggingSwitches;
import io.marchproxy.control.model.Mapping;
import io.marchproxy.control.model.Service;
import io.marchproxy.control.model.ServiceAuth;
import io.marchproxy.control.model.TlsSettings;
import io.marchproxy.control.rest.Meta;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.lab.L4Lab;
import io.marchproxy.lab.LabHost;

import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * What the lab node serves out of the box when its cluster does not exist yet: the cluster (default policy deny), a
 * TCP and a UDP service on the lab's first VIP with every lab backend behind them, and a mapping that admits the lab's
 * clients (the front network) to both. Written through the store as one change, as REST would; the cluster's API key
 * is printed once, like the first admin password. An operator changes all of it through REST like anything else.
 */
final class LabSeed
{
    static final int TCP_PORT = 80;
    static final int UDP_PORT = 53;
    static final int BACKEND_TCP_PORT = 8080;
    static final int BACKEND_UDP_PORT = 5353;

    private LabSeed()
    {
    }

    /** Seeds {@code clusterName} unless a cluster of that name exists; returns whether it did. */
    static boolean seed(final ConfigStore store, final String clusterName, final L4Lab lab, final Clock clock,
        final PrintStream console)
    {
        if (store.state().list(EntityKind.CLUSTER).stream().anyMatch(c -> c.name().equals(clusterName)))
        {
            return false;
        }
        final Meta clusterMeta = Meta.create(clock.instant());
        final String apiKey = new ClusterKeys().generate(clusterMeta.id());
        final String vip = L4Lab.vip4(1).getHostAddress();
        store.update("lab", "lab.seed", tx ->
        {
            tx.put(EntityKind.CLUSTER, new Cluster(clusterMeta.id(), clusterName, "lab network of bin/node", true,
                false, 3, null, new LoggingSwitches(false, false, false), AccessAction.DENY, ClusterKeys.hash(apiKey),
                1, clusterMeta.createdAt(), clusterMeta.updatedAt()));
            final String tcp = service(tx, clusterMeta.id(), "lab-tcp", vip, TCP_PORT, "tcp", BACKEND_TCP_PORT, lab,
                clock);
            final String udp = service(tx, clusterMeta.id(), "lab-udp", vip, UDP_PORT, "udp", BACKEND_UDP_PORT, lab,
                clock);
            final Meta m = Meta.create(clock.instant());
            tx.put(EntityKind.MAPPING, new Mapping(m.id(), "lab-clients", clusterMeta.id(), List.of(L4Lab.FRONT_IPV4),
                List.of(tcp, udp), List.of("tcp", "udp"), TCP_PORT + "," + UDP_PORT, AccessAction.ALLOW, false, 100,
                "the lab's clients may reach the lab services", true, 1, m.createdAt(), m.updatedAt()));
            return null;
        });
        console.println("lab: created cluster '" + clusterName + "' with services lab-tcp " + vip + ":" + TCP_PORT
            + " and lab-udp " + vip + ":" + UDP_PORT + " over " + lab.backends().size() + " backends, and a mapping "
            + "admitting " + L4Lab.FRONT_IPV4);
        console.println("lab: its cluster API key (shown once): " + apiKey);
        return true;
    }

    private static String service(final io.marchproxy.control.store.Transaction tx, final String clusterId,
        final String name, final String vip, final int port, final String protocol, final int backendPort,
        final L4Lab lab, final Clock clock)
    {
        final List<Backend> backends = new ArrayList<>();
        for (final LabHost b : lab.backends())
        {
            backends.add(new Backend(b.link().ipv4().getHostAddress(), backendPort, 1, true));
        }
        final Meta meta = Meta.create(clock.instant());
        tx.put(EntityKind.SERVICE, new Service(meta.id(), name, clusterId, vip, port, null, protocol, "lab", backends,
            "round_robin", ServiceAuth.NONE, TlsSettings.OFF, null, new HealthCheck("/", 5), true, true, 1,
            meta.createdAt(), meta.updatedAt()));
        return meta.id();
    }
}
