package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.counter.LatencyBuckets;
import io.marchproxy.dataplane.counter.SingleWriterCounters;

import java.util.List;

/**
 * Per-service and per-backend counters of the proxy: written by the dataplane thread only, readable from any thread
 * ({@link SingleWriterCounters}), and each service's per-packet latency ({@link LatencyBuckets}: what each of its
 * frames waited in the dataplane turn that forwarded it, see {@link ProxyPipeline}). A service's counters and latency
 * live as long as its index (which its configuration keeps stable for the service's life): a new configuration takes
 * over the previous one's, so the figures run on across changes. Everything is made here, off the dataplane thread,
 * when a configuration is compiled.
 */
public final class ProxyStatistics
{
    /** What is counted per service. */
    public enum ServiceCounter
    {
        /** Packets forwarded from clients to backends. */
        PACKETS_TO_BACKENDS,
        /** Bytes forwarded from clients to backends. */
        BYTES_TO_BACKENDS,
        /** Packets forwarded from backends back to clients. */
        PACKETS_TO_CLIENTS,
        /** Bytes forwarded from backends back to clients. */
        BYTES_TO_CLIENTS,
        /** Flows opened (first packets that got a backend). */
        FLOWS_OPENED,
        /** Flows tracked now. */
        FLOWS_ACTIVE,
        /** First packets the access rules denied. */
        ACCESS_DENIED,
        /** ICMP errors about the service's flows translated and forwarded. */
        ICMP_ERRORS,
        /** Open flows closed because the access rules stopped admitting them. */
        FLOWS_REVOKED
    }

    /** What is counted per backend ({@link #PACKETS} and {@link #BYTES}: both directions). */
    public enum BackendCounter
    {
        /** Flows opened to the backend. */
        FLOWS_OPENED,
        /** The backend's flows tracked now. */
        FLOWS_ACTIVE,
        /** Packets forwarded to and from the backend. */
        PACKETS,
        /** Bytes forwarded to and from the backend. */
        BYTES
    }

    private static final int MIN_BACKEND_SLOTS = 8;
    /** Counters per backend ({@code values()} copies its array on every call: not on the per-packet path). */
    private static final int BACKEND_COUNTERS = BackendCounter.values().length;

    private final SingleWriterCounters[] services;
    private final SingleWriterCounters[] backends;
    private final LatencyBuckets[] latency;

    /**
     * Counters for {@code config}'s services, reusing {@code previous}'s for the indexes both have (grown, with their
     * values copied, when a service has more backends than before).
     */
    ProxyStatistics(final List<ProxyService> config, final int maxIndex, final ProxyStatistics previous)
    {
        services = new SingleWriterCounters[maxIndex + 1];
        backends = new SingleWriterCounters[maxIndex + 1];
        latency = new LatencyBuckets[maxIndex + 1];
        for (final ProxyService s : config)
        {
            final int i = s.index();
            final LatencyBuckets oldLatency = previous == null || i >= previous.latency.length ? null
                : previous.latency[i];
            latency[i] = oldLatency != null ? oldLatency : new LatencyBuckets();
            final SingleWriterCounters oldService = previous == null || i >= previous.services.length ? null
                : previous.services[i];
            services[i] = oldService != null ? oldService : SingleWriterCounters.forEnum(ServiceCounter.class);
            final SingleWriterCounters oldBackends = previous == null || i >= previous.backends.length ? null
                : previous.backends[i];
            final int needed = s.backends().size() * BACKEND_COUNTERS;
            if (oldBackends != null && oldBackends.length() >= needed)
            {
                backends[i] = oldBackends;
            }
            else
            {
                final int slots = Math.max(MIN_BACKEND_SLOTS, 2 * s.backends().size());
                final SingleWriterCounters grown = new SingleWriterCounters(labels(slots));
                if (oldBackends != null)
                {
                    for (int k = 0; k < oldBackends.length(); k++)
                    {
                        grown.add(k, oldBackends.get(k));
                    }
                }
                backends[i] = grown;
            }
        }
    }

    private static String[] labels(final int slots)
    {
        final BackendCounter[] kinds = BackendCounter.values();
        final String[] labels = new String[slots * kinds.length];
        for (int b = 0; b < slots; b++)
        {
            for (final BackendCounter k : kinds)
            {
                labels[b * kinds.length + k.ordinal()] = "backend" + b + "_" + k.name().toLowerCase();
            }
        }
        return labels;
    }

    /**
     * {@return a service's counter, 0 for an unknown index; any thread}
     *
     * @param index the service's index
     * @param counter the counter
     */
    public long service(final int index, final ServiceCounter counter)
    {
        final SingleWriterCounters c = index >= 0 && index < services.length ? services[index] : null;
        return c == null ? 0 : c.get(counter);
    }

    /**
     * {@return a backend's counter, 0 for unknown indexes; any thread}
     *
     * @param service the service's index
     * @param backend the backend's position in the service
     * @param counter the counter
     */
    public long backend(final int service, final int backend, final BackendCounter counter)
    {
        final SingleWriterCounters c = service >= 0 && service < backends.length ? backends[service] : null;
        final int at = backend * BACKEND_COUNTERS + counter.ordinal();
        return c == null || backend < 0 || at >= c.length() ? 0 : c.get(at);
    }

    /**
     * {@return a service's per-packet latency so far (nanoseconds), empty for an unknown index; any thread (allocates:
     * for reporting)}
     *
     * @param index the service's index
     */
    public LatencyBuckets.Snapshot latency(final int index)
    {
        final LatencyBuckets l = index >= 0 && index < latency.length ? latency[index] : null;
        return l == null ? LatencyBuckets.Snapshot.empty() : l.snapshot();
    }

    /**
     * {@code frames} frames of a service waited {@code nanos} each; nothing for a service this configuration lacks.
     * Dataplane thread.
     */
    void recordLatency(final int service, final long nanos, final int frames)
    {
        final LatencyBuckets l = service >= 0 && service < latency.length ? latency[service] : null;
        if (l != null)
        {
            l.record(nanos, frames);
        }
    }

    void toBackend(final int service, final int backend, final int bytes)
    {
        add(service, backend, ServiceCounter.PACKETS_TO_BACKENDS, ServiceCounter.BYTES_TO_BACKENDS, 1, bytes);
    }

    void toClient(final int service, final int backend, final int bytes)
    {
        add(service, backend, ServiceCounter.PACKETS_TO_CLIENTS, ServiceCounter.BYTES_TO_CLIENTS, 1, bytes);
    }

    /**
     * Adds traffic of a flow that did not pass through {@link #toBackend}/{@link #toClient} one frame at a time (frames
     * the XDP program forwarded): {@code direction} 0 toward the backend, 1 toward the client. A service removed since
     * has no figures left to add to.
     */
    void addTraffic(final int service, final int backend, final int direction, final long packets, final long bytes)
    {
        if (direction == 0)
        {
            add(service, backend, ServiceCounter.PACKETS_TO_BACKENDS, ServiceCounter.BYTES_TO_BACKENDS, packets, bytes);
        }
        else
        {
            add(service, backend, ServiceCounter.PACKETS_TO_CLIENTS, ServiceCounter.BYTES_TO_CLIENTS, packets, bytes);
        }
    }

    private void add(
        final int service, final int backend, final ServiceCounter packetCounter, final ServiceCounter byteCounter,
        final long packets, final long bytes)
    {
        final SingleWriterCounters c = service >= 0 && service < services.length ? services[service] : null;
        if (c == null)
        {
            return; // a flow of a service removed since (its backend's MAC still known for a moment)
        }
        c.add(packetCounter.ordinal(), packets);
        c.add(byteCounter.ordinal(), bytes);
        final int base = backend * BACKEND_COUNTERS;
        if (base + BACKEND_COUNTERS <= backends[service].length())
        {
            backends[service].add(base + BackendCounter.PACKETS.ordinal(), packets);
            backends[service].add(base + BackendCounter.BYTES.ordinal(), bytes);
        }
    }

    void flowOpened(final int service, final int backend)
    {
        services[service].increment(ServiceCounter.FLOWS_OPENED.ordinal());
        services[service].increment(ServiceCounter.FLOWS_ACTIVE.ordinal());
        final int base = backend * BACKEND_COUNTERS;
        backends[service].increment(base + BackendCounter.FLOWS_OPENED.ordinal());
        backends[service].increment(base + BackendCounter.FLOWS_ACTIVE.ordinal());
    }

    void flowClosed(final int service, final int backend)
    {
        final SingleWriterCounters c = service < services.length ? services[service] : null;
        if (c == null)
        {
            return;
        }
        c.add(ServiceCounter.FLOWS_ACTIVE.ordinal(), -1);
        final int at = backend * BACKEND_COUNTERS + BackendCounter.FLOWS_ACTIVE.ordinal();
        if (at < backends[service].length())
        {
            backends[service].add(at, -1);
        }
    }

    void revoked(final int service)
    {
        final SingleWriterCounters c = service >= 0 && service < services.length ? services[service] : null;
        if (c != null)
        {
            c.increment(ServiceCounter.FLOWS_REVOKED.ordinal());
        }
    }

    void denied(final int service)
    {
        services[service].increment(ServiceCounter.ACCESS_DENIED.ordinal());
    }

    void icmpError(final int service)
    {
        final SingleWriterCounters c = service < services.length ? services[service] : null;
        if (c != null)
        {
            c.increment(ServiceCounter.ICMP_ERRORS.ordinal());
        }
    }
}
