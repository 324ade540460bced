package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.bpf.XdpMode;
import io.marchproxy.dataplane.conntrack.FlowTimeouts;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.PortRange;

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
 * @param frames    UMEM frames; both sockets' fill rings and the frames in flight come out of them
 * @param pollTimeoutMs how long the dataplane thread sleeps in {@code poll} when idle (a configuration change waits at
 *                  most this long to be adopted when no traffic flows)
 * @param offloadFlows flows the XDP program may forward itself at once: its flow slots, memory shared with the kernel
 *                  at 128 bytes a slot, hold two per flow and are made four times that many (a power of two: 32 MiB
 *                  for the default 32,768); a flow decided when the limit is reached or no slot is free for it stays
 *                  on the Java path, counted. 0 turns offload off for the whole proxy, whatever the services say
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
    int offloadFlows)
{
    /** The default SNAT ports: below Linux's default ephemeral range. */
    public static final PortRange DEFAULT_SNAT_PORTS = new PortRange(20_000, 32_767);

    public ProxySettings
    {
        Objects.requireNonNull(front, "front");
        Objects.requireNonNull(back, "back");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(snatPorts, "snatPorts");
        Objects.requireNonNull(timeouts, "timeouts");
        if (snat4 == null && snat6 == null)
        {
            throw new IllegalArgumentException("the proxy needs a source address toward backends (snat4 or snat6)");
        }
        if (offloadFlows < 0)
        {
            throw new IllegalArgumentException("offloadFlows must be >= 0 (0: no offload), not " + offloadFlows);
        }
        if (frames < 2 * ringSize + 2 * batch)
        {
            throw new IllegalArgumentException(frames + " UMEM frames cannot fill two rings of " + ringSize
                + " and keep frames in flight: give at least " + (2 * ringSize + 2 * batch));
        }
    }

    /**
     * Sensible sizes for {@code front} and {@code back} in native mode on queue 0: 65,536 flows per family, 32,768
     * of them offloaded at once.
     */
    public static ProxySettings of(final String front, final String back, final IpAddress snat4, final IpAddress snat6)
    {
        return new ProxySettings(front, back, 0, XdpMode.DRV, snat4, snat6, DEFAULT_SNAT_PORTS, 65_536, 8192, 2048,
            2048, 64, 1, FlowTimeouts.DEFAULTS, 32_768);
    }

    public ProxySettings withMode(final XdpMode m)
    {
        return new ProxySettings(front, back, queue, m, snat4, snat6, snatPorts, flowsPerFamily, frames, frameSize,
            ringSize, batch, pollTimeoutMs, timeouts, offloadFlows);
    }

    public ProxySettings withSnatPorts(final PortRange ports)
    {
        return new ProxySettings(front, back, queue, mode, snat4, snat6, ports, flowsPerFamily, frames, frameSize,
            ringSize, batch, pollTimeoutMs, timeouts, offloadFlows);
    }

    public ProxySettings withTimeouts(final FlowTimeouts t)
    {
        return new ProxySettings(front, back, queue, mode, snat4, snat6, snatPorts, flowsPerFamily, frames, frameSize,
            ringSize, batch, pollTimeoutMs, t, offloadFlows);
    }

    /** These settings with room for {@code flows} offloaded flows (0: no offload). */
    public ProxySettings withOffloadFlows(final int flows)
    {
        return new ProxySettings(front, back, queue, mode, snat4, snat6, snatPorts, flowsPerFamily, frames, frameSize,
            ringSize, batch, pollTimeoutMs, timeouts, flows);
    }
}
