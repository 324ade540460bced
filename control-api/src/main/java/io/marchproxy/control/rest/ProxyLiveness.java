package io.marchproxy.control.rest;

import io.marchproxy.control.model.ProxyNode;
import io.marchproxy.control.model.ProxyStatus;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Heartbeat state of proxies, kept in memory: heartbeats are frequent and their loss on restart costs one heartbeat
 * interval, so they are not journaled. Status is derived on every read ({@link ProxyStatus#derive}): a proxy never
 * heard from is pending; one heard from within {@code staleAfter} is active; otherwise stale.
 */
public final class ProxyLiveness {
    /**
     * The last heartbeat of one proxy.
     *
     * @param problems what the proxy reported it cannot do in its last heartbeat (empty: healthy); null when it has
     *                 only fetched config since the control plane started
     */
    public record Beat(Instant at, long configVersion, Map<String, Long> metrics, List<String> problems) {
    }

    private final Map<String, Beat> beats = new ConcurrentHashMap<>();
    private final Duration staleAfter;
    private final Clock clock;

    public ProxyLiveness(Duration staleAfter, Clock clock) {
        this.staleAfter = staleAfter;
        this.clock = clock;
    }

    public void beat(String proxyId, long configVersion, Map<String, Long> metrics) {
        beat(proxyId, configVersion, metrics, List.of());
    }

    /** A heartbeat with the problems the proxy reports (empty: it is healthy). */
    public void beat(String proxyId, long configVersion, Map<String, Long> metrics, List<String> problems) {
        beats.put(proxyId, new Beat(clock.instant(), configVersion, Map.copyOf(metrics), List.copyOf(problems)));
    }

    /** Records that a proxy fetched config {@code version}, keeping its last metrics and problems. */
    public void fetched(String proxyId, long version) {
        beats.compute(proxyId, (id, b) -> b == null ? new Beat(clock.instant(), version, Map.of(), null)
                : new Beat(clock.instant(), version, b.metrics(), b.problems()));
    }

    public void forget(String proxyId) {
        beats.remove(proxyId);
    }

    public Map<String, Long> metrics(String proxyId) {
        Beat b = beats.get(proxyId);
        return b == null ? Map.of() : b.metrics();
    }

    /** The problems of the last heartbeat, or null before the first since start (health unknown). */
    public List<String> problems(String proxyId) {
        Beat b = beats.get(proxyId);
        return b == null ? null : b.problems();
    }

    /** The stored node with its last-seen time and last config version filled in from the last heartbeat. */
    public ProxyNode live(ProxyNode node) {
        Beat b = beats.get(node.id());
        return b == null ? node : node.withLiveness(b.at(), b.configVersion());
    }

    /** The node's status now, derived from its last heartbeat (or its registration if none came since start). */
    public ProxyStatus status(ProxyNode node) {
        Beat b = beats.get(node.id());
        return ProxyStatus.derive(b != null, b == null ? node.lastSeen() : b.at(), clock.instant(), staleAfter);
    }
}
