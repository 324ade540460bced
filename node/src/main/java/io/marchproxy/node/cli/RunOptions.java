package io.marchproxy.node.cli;

import io.marchproxy.dataplane.bpf.XdpMode;
import io.marchproxy.node.NodeOptions;
import picocli.CommandLine.Option;

/** The options {@code node} and {@code lab} share: XDP mode, how long to run, the lab's request rate. */
final class RunOptions
{
    @Option(names = "--mode", paramLabel = "skb|drv", defaultValue = "drv", converter = Converters.Mode.class,
        description = "XDP mode (default: ${DEFAULT-VALUE})")
    XdpMode mode;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "0",
        description = "stop after N seconds (default: run until Ctrl-C)")
    long seconds;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "" + NodeOptions.DEFAULT_RATE,
        description = "lab: client requests a second through the proxy (default: ${DEFAULT-VALUE})")
    int rate;
}
