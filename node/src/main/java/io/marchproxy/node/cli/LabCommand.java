package io.marchproxy.node.cli;

import io.marchproxy.node.NodeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.util.concurrent.Callable;

/**
 * {@code marchproxy lab}: the lab demo, a node on a lab network with a throwaway store: what {@code marchproxy node}
 * does without interfaces, except that the control plane's store is a temporary directory deleted on exit, so the demo
 * never touches an operator's {@code ./data}.
 */
@Command(name = "lab", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {"Runs the lab demo: 2 clients, a node and 3 backends with real TCP and UDP servers in network "
        + "namespaces it creates, a lab cluster (services lab-tcp 10.215.0.1:80 and lab-udp 10.215.0.1:53 over the "
        + "three backends, a mapping admitting the clients), lab traffic through the proxy and a live table, until "
        + "Ctrl-C (or --seconds). The control plane serves REST on 127.0.0.1:8080 as for a node, on a store in a "
        + "temporary directory that is deleted on exit, as are the namespaces.",
        "Needs root (XDP, AF_XDP, network namespaces).", ""})
final class LabCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    LogOptions log;

    @Mixin
    RunOptions run;

    @Option(names = "--cluster", paramLabel = "NAME", defaultValue = NodeOptions.DEFAULT_CLUSTER,
        description = "the lab cluster's name (default: ${DEFAULT-VALUE})")
    String cluster;

    @Override
    public Integer call() throws Exception
    {
        final NodeOptions options;
        try
        {
            options = NodeOptions.lab(cluster, run.mode, run.offloadFlows, run.seconds, run.rate);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
        Privileges.requireDataplane("lab", true);
        return Servers.runNode("lab", options, log, Files.createTempDirectory("marchproxy-lab-"));
    }
}
