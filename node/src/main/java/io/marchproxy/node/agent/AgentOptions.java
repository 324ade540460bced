package io.marchproxy.node.agent;

import io.marchproxy.node.NodeOptions;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What an agent runs with ({@code marchproxy agent} parses them): where its control plane is and how to authenticate
 * ({@code --control}, {@code --cluster-key} or {@code --cluster-key-file} or {@code MARCHPROXY_CLUSTER_KEY},
 * {@code --ca}), what it registers as ({@code --name}, {@code --address}), {@code --heartbeat}, and the dataplane's
 * options, which are the node's ({@link NodeOptions}: {@code --front}/{@code --back}/{@code --netns}, {@code --mode},
 * {@code --snat-ports}, {@code --seconds}, {@code --rate}; without interfaces a lab). The cluster is the key's: there
 * is no {@code --cluster}.
 *
 * @param address  the address registered for the proxy, or null for the front interface's
 * @param name     the proxy's name in its cluster, or null for this host's name
 */
public record AgentOptions(URI control, ClusterKeySource key, Path ca, String name, String address,
                           Duration heartbeat, NodeOptions dataplane)
{
    /** Seconds between heartbeats unless told otherwise. */
    public static final int DEFAULT_HEARTBEAT_SECONDS = 10;

    /** {@return true when the agent builds its own lab network (no interfaces given)} */
    public boolean lab()
    {
        return dataplane.lab();
    }

    /**
     * The agent's options from what its command line gave; a bad value or combination throws
     * {@link IllegalArgumentException} with a message for the user (never echoing a key).
     *
     * @param control          the control plane's REST address, http:// or https://
     * @param key              {@code --cluster-key}, or null
     * @param keyFile          {@code --cluster-key-file}, or null
     * @param ca               {@code --ca}, or null for the JDK's trusted certificates
     * @param name             the proxy's name, or null for this host's
     * @param address          the address registered, or null for the front interface's
     * @param heartbeatSeconds seconds between heartbeats, 1..3600
     * @param dataplane        the dataplane's options (its cluster is not used: the agent follows its key's)
     * @param environment      supplies {@code MARCHPROXY_CLUSTER_KEY} when neither key option is given
     * @return the options
     */
    public static AgentOptions of(final String control, final String key, final Path keyFile, final Path ca,
        final String name, final String address, final long heartbeatSeconds, final NodeOptions dataplane,
        final Map<String, String> environment)
    {
        if (control == null)
        {
            throw new IllegalArgumentException("--control URL is required (the control plane's REST address)");
        }
        final URI uri = uri(control);
        if (heartbeatSeconds < 1 || heartbeatSeconds > 3600)
        {
            throw new IllegalArgumentException("--heartbeat needs whole seconds 1..3600, not '" + heartbeatSeconds
                + "'");
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
        return new AgentOptions(uri, source, ca, name, address, Duration.ofSeconds(heartbeatSeconds), dataplane);
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
}
