package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.bpf.XdpMode;
import io.marchproxy.dataplane.conntrack.FlowTimeouts;
import io.marchproxy.dataplane.cpu.CpuPolicy;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.PortRange;
import io.marchproxy.dataplane.qos.QosSettings;

import java.util.Objects;

/**
 * How a proxy is wired: the interface toward clients ({@code front}) and toward backends ({@code back}, may be the same
 * one), the RX queue served on each, the XDP mode, the node's source addresses toward backends and the SNAT port
 * range taken from them, and sizes.
 *
 * @param snat4     the node's IPv4 address on the back side (SNAT source), or null for no IPv4 service
 * @param snat6     the node's IPv6 address on the back side, or null
 * @param snatPorts source ports the proxy allocates on those addresses: keep them out of the kernel's ephemeral
 *                  range ({@code net.ipv4.ip_local_port_range}, 32768-60999 by default) or reserve them
 *                  ({@code ip_local_reserved_ports}), since replies to them go to the proxy, not the kernel
 * @param flowsPerFamily flow-table capacity of each address family
 * @param frames    UMEM frames; both sockets' fill rings, the frames in flight and those QoS holds come out of them
 * @param pollTimeoutMs how long the dataplane thread sleeps in {@code poll} when idle with {@link WorkerIdle#POLL} (a
 *                  configuration change waits at most this long to be adopted when no traffic flows, and frames QoS
 *                  holds may leave this much late)
 * @param cores     where the worker thread runs ({@link CpuPolicy}: the interface's NUMA node, none, or a CPU list)
 * @param idle      what the worker does between turns without work
 * @param qos       priority classes, shaping and marking on the proxy's egress ({@link QosSettings#OFF}: none)
 * @param offloadFlows flows the XDP program may forward itself at once: its flow slots, memory shared with the kernel
 *                  at 128 bytes a slot, hold two per flow and are made four times that many (a power of two: 32 MiB
 *                  for the default 32,768); a flow decided when the limit is reached or no slot is free for it stays
 *                  on the Java path, counted. 0 turns offload off for the whole proxy, whatever the services say.
 *
 * @param front the interface toward clients
 * @param back the interface toward backends
 * @param queue the RX queue served on each
 * @param mode the XDP mode
 * @param frameSize bytes of a UMEM frame
 * @param ringSize entries of each ring
 * @param batch frames a turn of the dataplane takes at most
 * @param timeouts idle timeouts of flows
 */
public record ProxySettings(
    String front,
    String back,
    int queue,
    XdpMode mode,
    IpAddress snat4,
    IpAddress snat6,
    PortRange snatPorts,
    int flowsPerFamily,
    int frames,
    int frameSize,
    int ringSize,
    int batch,
    int pollTimeoutMs,
    FlowTimeouts timeouts,
    CpuPolicy cores,
    WorkerIdle idle,
    QosSettings qos,
    int offloadFlows)
{
    /** The default SNAT ports: below Linux's default ephemeral range. */
    public static final PortRange DEFAULT_SNAT_PORTS = new PortRange(20_000, 32_767);

    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public ProxySettings
    {
        Objects.requireNonNull(front, "front");
        Objects.requireNonNull(back, "back");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(snatPorts, "snatPorts");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(cores, "cores");
        Objects.requireNonNull(idle, "idle");
        Objects.requireNonNull(qos, "qos");
        if (snat4 == null && snat6 == null)
        {
            throw new IllegalArgumentException("the proxy needs a source address toward backends (snat4 or snat6)");
        }
        if (offloadFlows < 0)
        {
            throw new IllegalArgumentException("offloadFlows must be >= 0 (0: no offload), not " + offloadFlows);
        }
        if (batch < 1 || batch > ringSize)
        {
            // A turn takes at most a ring's worth, and the sockets ask for a TX budget of one batch (L4Proxy).
            throw new IllegalArgumentException("batch must be 1..the ring size (" + ringSize + "), not " + batch);
        }
        final int needed = 2 * ringSize + 2 * batch + 2 * qos.heldFramesPerInterface();
        if (frames < needed)
        {
            throw new IllegalArgumentException(frames + " UMEM frames cannot fill two rings of " + ringSize
                + ", keep frames in flight and hold what QoS may hold (" + qos.heldFramesPerInterface()
                + " per interface): give at least " + needed);
        }
        if (pollTimeoutMs < 0)
        {
            throw new IllegalArgumentException("pollTimeoutMs must be >= 0: " + pollTimeoutMs);
        }
    }

    /**
     * {@return sensible sizes for {@code front} and {@code back} in native mode on queue 0} 65,536 flows per family,
     * 32,768 of them offloaded at once; the worker on the front interface's NUMA node, polling when idle; QoS on with
     * the default classes.
     *
     * @param front the interface toward clients
     * @param back the interface toward backends
     * @param snat4 the node's IPv4 address on the back side, or null
     * @param snat6 the node's IPv6 address on the back side, or null
     */
    public static ProxySettings of(final String front, final String back, final IpAddress snat4, final IpAddress snat6)
    {
        return new ProxySettings(front, back, 0, XdpMode.DRV, snat4, snat6, DEFAULT_SNAT_PORTS, 65_536, 16_384, 2048,
            2048, 64, 1, FlowTimeouts.DEFAULTS, CpuPolicy.AUTO, WorkerIdle.POLL, QosSettings.DEFAULTS, 32_768);
    }

    /**
     * {@return these settings in XDP mode {@code m}}
     *
     * @param m the mode
     */
    public ProxySettings withMode(final XdpMode m)
    {
        return new ProxySettings(front, back, queue, m, snat4, snat6, snatPorts, flowsPerFamily, frames, frameSize,
            ringSize, batch, pollTimeoutMs, timeouts, cores, idle, qos, offloadFlows);
    }

    /**
     * {@return these settings with SNAT ports {@code ports}}
     *
     * @param ports the port range
     */
    public ProxySettings withSnatPorts(final PortRange ports)
    {
        return new ProxySettings(front, back, queue, mode, snat4, snat6, ports, flowsPerFamily, frames, frameSize,
            ringSize, batch, pollTimeoutMs, timeouts, cores, idle, qos, offloadFlows);
    }

    /**
     * {@return these settings with flow timeouts {@code t}}
     *
     * @param t the timeouts
     */
    public ProxySettings withTimeouts(final FlowTimeouts t)
    {
        return new ProxySettings(front, back, queue, mode, snat4, snat6, snatPorts, flowsPerFamily, frames, frameSize,
            ringSize, batch, pollTimeoutMs, t, cores, idle, qos, offloadFlows);
    }

    /**
     * {@return these settings with the RX queue served on both interfaces, where the worker runs and how it idles}
     *
     * @param q      the RX queue
     * @param c      where the worker runs
     * @param i      what it does when idle
     * @param pollMs how long it sleeps in {@code poll} when idling with {@link WorkerIdle#POLL}
     */
    public ProxySettings withWorker(final int q, final CpuPolicy c, final WorkerIdle i, final int pollMs)
    {
        return new ProxySettings(front, back, q, mode, snat4, snat6, snatPorts, flowsPerFamily, frames, frameSize,
            ringSize, batch, pollMs, timeouts, c, i, qos, offloadFlows);
    }

    /**
     * {@return these settings with QoS {@code q}}
     *
     * @param q the QoS settings ({@link QosSettings#OFF}: none)
     */
    public ProxySettings withQos(final QosSettings q)
    {
        return new ProxySettings(front, back, queue, mode, snat4, snat6, snatPorts, flowsPerFamily, frames, frameSize,
            ringSize, batch, pollTimeoutMs, timeouts, cores, idle, q, offloadFlows);
    }

    /**
     * {@return these settings with room for {@code flows} offloaded flows}
     *
     * @param flows offloaded flows at once, 0 for no offload
     */
    public ProxySettings withOffloadFlows(final int flows)
    {
        return new ProxySettings(front, back, queue, mode, snat4, snat6, snatPorts, flowsPerFamily, frames, frameSize,
            ringSize, batch, pollTimeoutMs, timeouts, cores, idle, qos, flows);
    }
}
