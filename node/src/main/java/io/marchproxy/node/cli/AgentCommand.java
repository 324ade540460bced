package io.marchproxy.node.cli;

import io.marchproxy.node.NodeOptions;
import io.marchproxy.node.agent.AgentOptions;
import io.marchproxy.node.agent.ClusterKeySource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code marchproxy agent}: the L4 dataplane alone, following a remote control plane
 * ({@link io.marchproxy.node.agent.AgentMain}); what {@code bin/agent} runs.
 */
@Command(name = "agent", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {"Runs a remote agent: the L4 proxy alone, following a control plane that runs elsewhere over its "
        + "REST API. It registers as a proxy of the cluster its key belongs to, follows the cluster's configuration "
        + "with a long poll (no busy polling) and applies each version whole, heartbeats with its statistics, and "
        + "keeps forwarding on its last configuration while the control plane cannot be reached.",
        "Without --front/--back it builds a lab like `marchproxy node` (clients, its node, three backends with real "
            + "servers, in namespaces it creates) and sends lab traffic through its proxy; the lab cluster "
            + "`marchproxy node` creates fits it.",
        "Needs root (XDP, AF_XDP, network namespaces).", ""})
final class AgentCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    LogOptions log;

    @Option(names = "--control", paramLabel = "URL", order = 1,
        description = "the control plane's REST address: http://HOST:8080 or https://HOST:PORT")
    String control;

    @Option(names = "--cluster-key-file", paramLabel = "FILE", order = 2,
        description = "a file holding the cluster's API key, read again on every attempt: after a key rotation, "
            + "write the new key there and the running agent takes it")
    Path keyFile;

    @Option(names = "--cluster-key", paramLabel = "KEY", order = 3,
        description = "the cluster's API key (shown in the process list: prefer the file, or "
            + ClusterKeySource.ENVIRONMENT + " in the environment)")
    String key;

    @Option(names = "--ca", paramLabel = "FILE", order = 4,
        description = "PEM CA certificate(s) to trust for an https:// control plane (default: the JDK's)")
    Path ca;

    @Option(names = "--name", paramLabel = "NAME", order = 5,
        description = "the proxy's name in its cluster (default: this host's name)")
    String name;

    @Option(names = "--address", paramLabel = "ADDR", order = 6,
        description = "the address registered for this proxy (default: the front interface's)")
    String address;

    @Option(names = "--heartbeat", paramLabel = "S", order = 7,
        defaultValue = "" + AgentOptions.DEFAULT_HEARTBEAT_SECONDS,
        description = "seconds between heartbeats (default: ${DEFAULT-VALUE}; the control plane shows a proxy stale "
            + "after marchproxy.proxies.staleafter, 60 s by default)")
    long heartbeat;

    @Option(names = "--cluster", paramLabel = "NAME", hidden = true)
    String cluster;

    @Mixin
    InterfaceOptions interfaces;

    @Mixin
    RunOptions run;

    /**
     * {@return the agent's options from the command line and {@code environment}}
     *
     * @param environment supplies {@code MARCHPROXY_CLUSTER_KEY}
     * @throws ParameterException saying what is wrong
     */
    AgentOptions options(final Map<String, String> environment)
    {
        try
        {
            if (cluster != null)
            {
                throw new IllegalArgumentException("an agent follows the cluster of its key: no --cluster");
            }
            return AgentOptions.of(control, key, keyFile, ca, name, address, heartbeat,
                interfaces.nodeOptions(NodeOptions.DEFAULT_CLUSTER, run), environment);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception
    {
        return Servers.runAgent(options(System.getenv()), log);
    }
}
