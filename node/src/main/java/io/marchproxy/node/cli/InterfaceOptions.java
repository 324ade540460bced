package io.marchproxy.node.cli;

import io.marchproxy.dataplane.net.PortRange;
import io.marchproxy.node.NodeOptions;
import picocli.CommandLine.Option;

/** The dataplane's interfaces and SNAT ports, as {@code node} and {@code agent} take them; none given: a lab. */
final class InterfaceOptions
{
    @Option(names = "--front", paramLabel = "IF", description = "the interface clients reach the service VIPs on")
    String front;

    @Option(names = "--back", paramLabel = "IF",
        description = "the interface toward the backends; its addresses are the SNAT sources")
    String back;

    @Option(names = "--netns", paramLabel = "NS",
        description = "the network namespace both interfaces are in (default: this process's)")
    String netns;

    @Option(names = "--snat-ports", paramLabel = "A-B", defaultValue = SnatPorts.DEFAULT,
        converter = Converters.Ports.class, description = "source ports taken on the back addresses (default: "
            + "${DEFAULT-VALUE}; keep them out of the kernel's ip_local_port_range)")
    PortRange snatPorts;

    /**
     * {@return the node's options from these and {@code run}'s}
     *
     * @param cluster the cluster served
     * @param run     mode, seconds, rate
     * @throws IllegalArgumentException naming the options that do not go together
     */
    NodeOptions nodeOptions(final String cluster, final RunOptions run)
    {
        return new NodeOptions(cluster, front, back, netns, run.mode, snatPorts, run.offloadFlows, run.seconds,
            run.rate);
    }
}
