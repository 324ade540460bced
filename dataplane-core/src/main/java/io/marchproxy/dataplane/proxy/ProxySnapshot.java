package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.balance.Backend;
import io.marchproxy.dataplane.bpf.L4Program;
import io.marchproxy.dataplane.counter.LatencyBuckets;
import io.marchproxy.dataplane.packet.DropReason;
import io.marchproxy.dataplane.qos.PriorityClass;
import io.marchproxy.dataplane.qos.QosCounter;
import io.marchproxy.dataplane.xsk.XskStatistics;
import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * The proxy's figures at one moment, as plain values for whoever reports them (a metrics exporter, a live table):
 * taken by {@link L4Proxy#snapshot()} from any thread. Each counter is read with an acquire load; the snapshot as a
 * whole is not atomic (counters move on while it is taken).
 *
 * @param configVersion the configuration version the dataplane thread serves
 * @param flows         flows tracked now, both families
 * @param services      every service of that configuration with its counters and its backends'
 * @param drops         frames the dataplane thread dropped, indexed by {@link DropReason#ordinal()}
 * @param xdp           the XDP program's counters summed over CPUs, indexed by {@link L4Program.Counter#ordinal()}
 * @param offload       what flow offload did, indexed by {@link OffloadCounter#ordinal()} (its traffic is in the
 *                      service and backend counters too, folded in from the XDP program's per-flow counts)
 * @param sockets       each AF_XDP socket's figures
 * @param latency       per-packet processing latency in nanoseconds since the start, all services together (see
 *                      {@link ProxyPipeline}; each service's own is in its {@link ServiceFigures#latency()})
 * @param qos           per direction and priority class, what QoS sent, held and dropped; empty when QoS is off
 * @param worker        where the dataplane worker runs and why
 */
public record ProxySnapshot(
    long configVersion,
    int flows,
    List<ServiceFigures> services,
    long[] drops,
    long[] xdp,
    long[] offload,
    List<SocketFigures> sockets,
    Histogram latency,
    List<ClassFigures> qos,
    WorkerPlacement worker)
{
    /**
     * {@return frames dropped for {@code reason}}
     *
     * @param reason the drop reason
     */
    public long drops(final DropReason reason)
    {
        return drops[reason.ordinal()];
    }

    /**
     * {@return the XDP program's {@code counter}, summed over CPUs}
     *
     * @param counter the counter
     */
    public long xdp(final L4Program.Counter counter)
    {
        return xdp[counter.ordinal()];
    }

    /**
     * {@return flow offload's {@code counter}}
     *
     * @param counter the counter
     */
    public long offload(final OffloadCounter counter)
    {
        return offload[counter.ordinal()];
    }

    /**
     * A service's counters, its backends', its per-packet latency and whether its flows are offloaded.
     *
     * @param service   the service, as configured
     * @param counters  its counters, indexed by {@link ProxyStatistics.ServiceCounter#ordinal()}
     * @param backends  its backends' figures, in the service's order
     * @param latency   the per-packet latency of its frames in nanoseconds since the service appeared (each frame
     *                  counts the duration of the dataplane turn that forwarded it; see {@link ProxyPipeline})
     * @param offloaded whether the proxy offloads the service's decided flows to the XDP program: its
     *                  {@link ProxyService#offload()} on, no QoS policy holding it on the Java path, and room for
     *                  offloaded flows ({@link ProxySettings#offloadFlows()} above 0)
     */
    public record ServiceFigures(
        ProxyService service, long[] counters, List<BackendFigures> backends, LatencyBuckets.Snapshot latency,
        boolean offloaded)
    {
        /**
         * {@return the service's {@code counter}}
         *
         * @param counter the counter
         */
        public long get(final ProxyStatistics.ServiceCounter counter)
        {
            return counters[counter.ordinal()];
        }
    }

    /**
     * A backend's counters.
     *
     * @param position the backend's stable position in its service
     * @param backend  the backend, as configured
     * @param counters its counters, indexed by {@link ProxyStatistics.BackendCounter#ordinal()}
     */
    public record BackendFigures(int position, Backend backend, long[] counters)
    {
        /**
         * {@return the backend's {@code counter}}
         *
         * @param counter the counter
         */
        public long get(final ProxyStatistics.BackendCounter counter)
        {
            return counters[counter.ordinal()];
        }
    }

    /**
     * An AF_XDP socket: what the dataplane took off its RX ring and put on its TX ring, and the kernel's counters
     * ({@code XDP_STATISTICS}).
     *
     * @param interfaceName the interface the socket is bound to
     * @param queue         its queue
     * @param rxPackets     packets the dataplane took off its RX ring
     * @param txPackets     packets the dataplane put on its TX ring
     * @param kernel        the kernel's counters, null if the kernel would not say (the socket closed meanwhile)
     */
    public record SocketFigures(String interfaceName, int queue, long rxPackets, long txPackets, XskStatistics kernel)
    {
    }

    /**
     * A priority class's QoS counters on one egress.
     *
     * @param toBackends frames toward backends (sent on the back interface), else toward clients
     * @param priority   the class
     * @param counters   its counters, indexed by {@link QosCounter#ordinal()}
     */
    public record ClassFigures(boolean toBackends, PriorityClass priority, long[] counters)
    {
        /**
         * {@return the class's {@code counter}}
         *
         * @param counter the counter
         */
        public long get(final QosCounter counter)
        {
            return counters[counter.ordinal()];
        }
    }
}
