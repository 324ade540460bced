package io.marchproxy.node;

import io.marchproxy.dataplane.bpf.XdpMode;
import io.marchproxy.dataplane.net.PortRange;
import io.marchproxy.dataplane.proxy.ProxySettings;

import java.util.Objects;

/**
 * What a node runs with ({@code marchproxy node} and {@code marchproxy lab} parse them): the cluster it serves, the
 * two interfaces (none: the node builds its lab), the XDP mode, the SNAT ports, how long to run and the lab's request
 * rate. The constructor checks the combinations and says what is wrong.
 *
 * @param cluster   the cluster whose tcp/udp services the node proxies
 * @param front     the interface clients reach the VIPs on, or null for the lab
 * @param back      the interface toward the backends (its addresses are the SNAT sources), or null for the lab
 * @param netns     the network namespace both interfaces are in, or null for the process's own
 * @param mode      the XDP attach mode
 * @param snatPorts source ports taken on the back addresses
 * @param offloadFlows flows the XDP program forwards itself at once ({@link ProxySettings#offloadFlows()}; 0: none)
 * @param seconds   seconds to run, 0 until stopped
 * @param rate      lab traffic, requests a second (lab only)
 */
public record NodeOptions(String cluster, String front, String back, String netns, XdpMode mode, PortRange snatPorts,
                          int offloadFlows, long seconds, int rate)
{
    /** The cluster a node serves unless told otherwise. */
    public static final String DEFAULT_CLUSTER = "default";
    /** Lab requests a second unless told otherwise. */
    public static final int DEFAULT_RATE = 20;
    /** Flows the XDP program forwards itself unless told otherwise. */
    public static final int DEFAULT_OFFLOAD_FLOWS = 32_768;
    /** 8 x this many slots of 128 bytes: 1 GiB of shared memory at most. */
    public static final int MAX_OFFLOAD_FLOWS = 1 << 20;

    /**
     * Checks the combination.
     *
     * @throws IllegalArgumentException naming the options that do not go together
     */
    public NodeOptions
    {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(snatPorts, "snatPorts");
        if ((front == null) != (back == null))
        {
            throw new IllegalArgumentException("--front and --back go together");
        }
        if (front != null && front.equals(back))
        {
            throw new IllegalArgumentException("--front and --back must be two interfaces");
        }
        if (netns != null && front == null)
        {
            throw new IllegalArgumentException("--netns needs --front and --back");
        }
        if (snatPorts.first() < 1024)
        {
            throw new IllegalArgumentException("--snat-ports must start at 1024 or above: " + snatPorts);
        }
        if (offloadFlows < 0 || offloadFlows > MAX_OFFLOAD_FLOWS)
        {
            throw new IllegalArgumentException("--offload-flows must be 0.." + MAX_OFFLOAD_FLOWS + ": " + offloadFlows);
        }
        if (seconds < 0)
        {
            throw new IllegalArgumentException("--seconds must be 0 (until stopped) or more: " + seconds);
        }
        if (rate < 1 || rate > 10_000)
        {
            throw new IllegalArgumentException("--rate must be 1..10000: " + rate);
        }
    }

    /**
     * The lab's options: no interfaces, the default SNAT ports.
     *
     * @param cluster the lab cluster's name
     * @param mode    the XDP attach mode
     * @param offloadFlows flows the XDP program forwards itself (0: none)
     * @param seconds seconds to run, 0 until stopped
     * @param rate    lab requests a second
     * @return the options
     */
    public static NodeOptions lab(final String cluster, final XdpMode mode, final int offloadFlows, final long seconds,
        final int rate)
    {
        return new NodeOptions(cluster, null, null, null, mode, ProxySettings.DEFAULT_SNAT_PORTS, offloadFlows, seconds,
            rate);
    }

    /** {@return true when the node builds its own lab network (no interfaces given)} */
    public boolean lab()
    {
        return front == null;
    }
}
