package io.marchproxy.control.observe;

import io.marchproxy.control.model.ProxyNode;
import io.marchproxy.control.model.ProxyStatus;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.control.store.StoreHealth;
import io.marchproxy.control.store.StoreState;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The store's figures (entities by kind, config version, journal size and lag, writable) and the proxies by status,
 * read from the store once per scrape.
 */
public final class StoreMetrics implements MultiCollector {
    private final ConfigStore store;
    private final Function<ProxyNode, ProxyStatus> statusOf;

    /** @param statusOf a proxy's status now, derived from its heartbeats */
    public StoreMetrics(ConfigStore store, Function<ProxyNode, ProxyStatus> statusOf) {
        this.store = store;
        this.statusOf = statusOf;
    }

    @Override
    public MetricSnapshots collect() {
        MetricFamilies f = new MetricFamilies();
        StoreState s = store.state();
        StoreHealth h = store.health();
        MetricFamilies.Family entities = f.gauge("marchproxy_store_entities", "Stored entities by kind.", "kind");
        for (EntityKind<?> kind : EntityKind.all()) {
            entities.add(s.count(kind), kind.wireName());
        }
        f.gauge("marchproxy_store_config_version", "Current global config version.").add(s.configVersion());
        f.gauge("marchproxy_store_journal_events", "Events in the journal.").add(s.seq());
        f.gauge("marchproxy_store_journal_bytes", "Journal size on disk.").add(h.journalBytes());
        f.gauge("marchproxy_store_journal_lag_events",
                "Journal events not yet covered by a snapshot (replayed on restart).").add(h.eventsSinceSnapshot());
        f.gauge("marchproxy_store_writable", "1 if the store accepts writes.").add(h.writable() ? 1 : 0);
        Map<ProxyStatus, Integer> byStatus = new EnumMap<>(ProxyStatus.class);
        for (ProxyStatus st : ProxyStatus.values()) {
            byStatus.put(st, 0);
        }
        for (ProxyNode p : s.list(EntityKind.PROXY)) {
            byStatus.merge(statusOf.apply(p), 1, Integer::sum);
        }
        MetricFamilies.Family proxies = f.gauge("marchproxy_proxies", "Proxies by status.", "status");
        byStatus.forEach((st, n) -> proxies.add(n, st.wireName()));
        return f.snapshots();
    }
}
