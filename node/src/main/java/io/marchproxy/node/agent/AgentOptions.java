package io.marchproxy.node.agent;

import io.marchproxy.node.NodeOptions;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The agent's command line: where its control plane is and how to authenticate ({@code --control},
 * {@code --cluster-key} or {@code --cluster-key-file} or {@code MARCHPROXY_CLUSTER_KEY}, {@code --ca}), what it
 * registers as ({@code --name}, {@code --address}), {@code --heartbeat}, and the dataplane's options, which are the
 * node's ({@link NodeOptions}: {@code --front}/{@code --back}/{@code --netns}, {@code --mode}, {@code --snat-ports},
 * {@code --seconds}, {@code --rate}; without interfaces a lab). The cluster is the key's: there is no
 * {@code --cluster}.
 *
 * @param address  the address registered for the proxy, or null for the front interface's
 * @param name     the proxy's name in its cluster, or null for this host's name
 */
public record AgentOptions(URI control, ClusterKeySource key, Path ca, String name, String address,
                           Duration heartbeat, NodeOptions dataplane, boolean help)
{
    public static final String USAGE = """
        usage: marchproxy agent --control URL [--cluster-key KEY | --cluster-key-file FILE] [--ca FILE]
                                [--front IF --back IF [--netns NS]] [--name NAME] [--address ADDR]
                                [--mode skb|drv] [--snat-ports A-B] [--heartbeat S] [--seconds N] [--rate N]
          --control URL           the control plane's REST address: http://HOST:8080 or https://HOST:PORT
          --cluster-key KEY       the API key of the cluster to follow (shown in the process list: prefer the
                                  file, or MARCHPROXY_CLUSTER_KEY in the environment)
          --cluster-key-file F    a file holding the key, read again on every attempt: after a key rotation,
                                  write the new key there and the running agent takes it
          --ca FILE               PEM CA certificate(s) to trust for an https:// control plane (default: the JDK's)
          --front IF --back IF    the interfaces, as for bin/node (--netns NS: the namespace they are in)
          --name NAME             the proxy's name in its cluster (default: this host's name)
          --address ADDR          the address registered for this proxy (default: the front interface's)
          --heartbeat S           seconds between heartbeats (default 10; the control plane shows a proxy
                                  stale after marchproxy.proxies.staleafter, 60 s by default)
          --mode, --snat-ports, --seconds, --rate: as for bin/node
        Without --front/--back the agent builds a lab like bin/node's (clients, the node, three backends with
        real servers, in namespaces it creates) and sends lab traffic through its proxy: the lab cluster bin/node
        creates fits it. The agent registers as a proxy of the key's cluster, follows its configuration (a long
        poll: no busy polling), heartbeats with its statistics, and keeps forwarding on its last configuration
        while the control plane cannot be reached.""";

    /** The lab the agent builds without interfaces. */
    public boolean lab()
    {
        return dataplane.lab();
    }

    /**
     * Parses {@code args} ({@code environment} supplies {@code MARCHPROXY_CLUSTER_KEY}); a bad value throws
     * {@link IllegalArgumentException} with a message for the user.
     */
    public static AgentOptions parse(final String[] args, final Map<String, String> environment)
    {
        URI control = null;
        String key = null;
        Path keyFile = null;
        Path ca = null;
        String name = null;
        String address = null;
        Duration heartbeat = Duration.ofSeconds(10);
        final List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--control" -> control = uri(value(args, ++i, arg));
                case "--cluster-key" -> key = value(args, ++i, arg);
                case "--cluster-key-file" -> keyFile = Path.of(value(args, ++i, arg));
                case "--ca" -> ca = Path.of(value(args, ++i, arg));
                case "--name" -> name = value(args, ++i, arg);
                case "--address" -> address = value(args, ++i, arg);
                case "--heartbeat" -> heartbeat = Duration.ofSeconds(seconds(value(args, ++i, arg), arg));
                case "--cluster" -> throw new IllegalArgumentException("an agent follows the cluster of its key: "
                    + "no --cluster");
                default -> rest.add(arg);
            }
        }
        final NodeOptions dataplane = NodeOptions.parse(rest.toArray(String[]::new));
        if (dataplane.help())
        {
            return new AgentOptions(control, null, ca, name, address, heartbeat, dataplane, true);
        }
        if (control == null)
        {
            throw new IllegalArgumentException("--control URL is required (the control plane's REST address)");
        }
        if (key != null && keyFile != null)
        {
            throw new IllegalArgumentException("--cluster-key and --cluster-key-file: give one");
        }
        final ClusterKeySource source;
        try
        {
            source = key != null ? ClusterKeySource.of(key, "--cluster-key")
                : keyFile != null ? ClusterKeySource.file(keyFile)
                : environment.containsKey(ClusterKeySource.ENVIRONMENT)
                ? ClusterKeySource.of(environment.get(ClusterKeySource.ENVIRONMENT), ClusterKeySource.ENVIRONMENT)
                : null;
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("--cluster-key-file " + keyFile + ": cannot read it (" + ex + ")");
        }
        if (source == null)
        {
            throw new IllegalArgumentException("a cluster key is required: --cluster-key-file FILE, --cluster-key "
                + "KEY or " + ClusterKeySource.ENVIRONMENT);
        }
        if (ca != null && !Files.isReadable(ca))
        {
            throw new IllegalArgumentException("--ca " + ca + ": no such readable file");
        }
        return new AgentOptions(control, source, ca, name, address, heartbeat, dataplane, false);
    }

    private static URI uri(final String text)
    {
        try
        {
            final URI uri = new URI(text);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null)
            {
                throw new URISyntaxException(text, "not http:// or https://");
            }
            return uri;
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalArgumentException("--control needs http://HOST:PORT or https://HOST:PORT, not '" + text
                + "'");
        }
    }

    private static long seconds(final String text, final String option)
    {
        try
        {
            final long v = Long.parseLong(text);
            if (v < 1 || v > 3600)
            {
                throw new NumberFormatException();
            }
            return v;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + " needs whole seconds 1..3600, not '" + text + "'");
        }
    }

    private static String value(final String[] args, final int i, final String option)
    {
        if (i >= args.length)
        {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
