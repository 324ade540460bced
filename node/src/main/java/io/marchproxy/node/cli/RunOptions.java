package io.marchproxy.node.cli;

import io.marchproxy.dataplane.bpf.XdpMode;
import io.marchproxy.node.NodeOptions;
import picocli.CommandLine.Option;

/**
 * The options {@code node}, {@code lab} and {@code agent} share: XDP mode, flow offload, how long to run, the lab's
 * request rate.
 */
final class RunOptions
{
    @Option(names = "--mode", paramLabel = "skb|drv", defaultValue = "drv", converter = Converters.Mode.class,
        description = "XDP mode (default: ${DEFAULT-VALUE})")
    XdpMode mode;

    @Option(names = "--offload-flows", paramLabel = "N", defaultValue = "" + NodeOptions.DEFAULT_OFFLOAD_FLOWS,
        description = "flows the XDP program forwards itself once the proxy decided them (default: ${DEFAULT-VALUE}; "
            + "0: every frame through the Java path); their slots take 1 KiB each of shared memory")
    int offloadFlows;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "0",
        description = "stop after N seconds (default: run until Ctrl-C)")
    long seconds;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "" + NodeOptions.DEFAULT_RATE,
        description = "lab: client requests a second through the proxy (default: ${DEFAULT-VALUE})")
    int rate;
}
