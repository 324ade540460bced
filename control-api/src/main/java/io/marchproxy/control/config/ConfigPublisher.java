package io.marchproxy.control.config;

import io.marchproxy.control.model.Cluster;
import io.marchproxy.control.model.ClusterScoped;
import io.marchproxy.control.model.Entity;
import io.marchproxy.control.store.Change;
import io.marchproxy.control.store.ChangeEvent;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.control.store.StoreState;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The subscription point for config consumers (dataplane, xDS server): turns committed store events that changed the
 * config version into {@link ConfigChange}s naming the clusters affected, and resolves any cluster's config at the
 * current version.
 */
public final class ConfigPublisher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConfigPublisher.class.getName());

    private final ConfigStore store;
    private final ConfigResolver resolver;
    private final List<ConfigChangeListener> listeners = new CopyOnWriteArrayList<>();
    private final AutoCloseable storeSubscription;

    public ConfigPublisher(ConfigStore store, ConfigResolver resolver) {
        this.store = store;
        this.resolver = resolver;
        this.storeSubscription = store.subscribe(this::committed);
    }

    /** Adds a listener for every later version; close the handle to remove it. */
    public AutoCloseable subscribe(ConfigChangeListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** The resolved config of a cluster (by id) at the current version. */
    public Optional<ResolvedConfig> resolve(String clusterId) {
        StoreState s = store.state();
        return s.get(EntityKind.CLUSTER, clusterId).map(c -> resolver.resolve(s, c));
    }

    private void committed(ChangeEvent event, StoreState before, StoreState after) {
        if (!event.changedConfig()) {
            return;
        }
        ConfigChange change = new ConfigChange(event.versionAfter(), event.at(), affectedClusters(event, before),
                event.actor(), event.action());
        for (ConfigChangeListener l : listeners) {
            try {
                l.onConfigChange(change);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "config listener failed on version " + change.version(), e);
            }
        }
    }

    private static Set<String> affectedClusters(ChangeEvent event, StoreState before) {
        Set<String> ids = new HashSet<>();
        for (Change c : event.changes()) {
            if (!c.kind().isConfig()) {
                continue;
            }
            clusterOf(c.after()).ifPresent(ids::add);
            clusterOf(before.get(c.kind(), c.id()).orElse(null)).ifPresent(ids::add);
        }
        return ids;
    }

    private static Optional<String> clusterOf(Entity e) {
        if (e instanceof Cluster c) {
            return Optional.of(c.id());
        }
        return e instanceof ClusterScoped s ? Optional.of(s.clusterId()) : Optional.empty();
    }

    @Override
    public void close() {
        try {
            storeSubscription.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot unsubscribe from the store", e);
        }
    }
}
