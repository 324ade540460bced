package io.marchproxy.node.cli;

import io.marchproxy.node.NodeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code marchproxy node}: the control plane and the L4 proxy in one process ({@link io.marchproxy.node.Node}); with
 * no {@code --front}/{@code --back} the lab. What {@code bin/node} runs.
 */
@Command(name = "node", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {"Runs a MarchProxy node: the control plane (REST on 127.0.0.1:8080, its durable store in ./data, xDS "
        + "for Envoy) and the L4 proxy for the tcp/udp services of the node's cluster, following every REST change "
        + "live; prints a live table once a second until Ctrl-C (or --seconds).",
        "Without --front/--back it builds a lab instead of using interfaces: 2 clients, the node and 3 backends with "
            + "real TCP and UDP servers in network namespaces it creates, a lab cluster if there is none, and lab "
            + "traffic through the proxy; everything it made is removed on exit.",
        "Needs root (XDP, AF_XDP, network namespaces).", ""})
final class NodeCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    LogOptions log;

    @Mixin
    RunOptions run;

    @Option(names = "--cluster", paramLabel = "NAME", defaultValue = NodeOptions.DEFAULT_CLUSTER,
        description = "the cluster whose tcp/udp services the node proxies (default: ${DEFAULT-VALUE})")
    String cluster;

    @Mixin
    InterfaceOptions interfaces;

    @Override
    public Integer call() throws Exception
    {
        final NodeOptions options;
        try
        {
            options = interfaces.nodeOptions(cluster, run);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
        return Servers.runNode("node", options, log, null);
    }
}
