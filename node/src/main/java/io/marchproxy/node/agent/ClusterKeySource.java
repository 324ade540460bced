package io.marchproxy.node.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where an agent's cluster API key comes from: the command line, the environment ({@code MARCHPROXY_CLUSTER_KEY}), or
 * a file, read again on every attempt, so an operator who rotates the key gives it to a running agent by rewriting the
 * file. The key is never printed: {@link #toString()} names the source only.
 */
public final class ClusterKeySource
{
    /** The environment variable an agent reads its key from when neither option gives one. */
    public static final String ENVIRONMENT = "MARCHPROXY_CLUSTER_KEY";
    private static final String PREFIX = "mpk.";

    private final String key;
    private final Path file;
    private final String origin;

    private ClusterKeySource(final String key, final Path file, final String origin)
    {
        this.key = key;
        this.file = file;
        this.origin = origin;
    }

    /** A key given as text; {@code origin} says where from ({@code "--cluster-key"}), for messages. */
    public static ClusterKeySource of(final String key, final String origin)
    {
        clusterIdOf(key.strip(), origin);
        return new ClusterKeySource(key.strip(), null, origin);
    }

    /** A key kept in {@code file} (its first line), read now and again on every {@link #key()}. */
    public static ClusterKeySource file(final Path file) throws IOException
    {
        final ClusterKeySource source = new ClusterKeySource(null, file, "--cluster-key-file " + file);
        source.key();
        return source;
    }

    /** The key now (a file is read again). */
    public String key() throws IOException
    {
        if (file == null)
        {
            return key;
        }
        final String text = Files.readString(file).strip();
        final int newline = text.indexOf('\n');
        final String read = newline < 0 ? text : text.substring(0, newline).strip();
        clusterIdOf(read, origin);
        return read;
    }

    /** Whether {@link #key()} may change while the agent runs. */
    public boolean rereads()
    {
        return file != null;
    }

    /** The id of the cluster the key belongs to: keys read {@code mpk.<cluster id>.<secret>}. */
    public String clusterId() throws IOException
    {
        return clusterIdOf(key(), origin);
    }

    private static String clusterIdOf(final String key, final String origin)
    {
        final int dot = key.indexOf('.', PREFIX.length());
        if (!key.startsWith(PREFIX) || dot <= PREFIX.length() || dot == key.length() - 1)
        {
            throw new IllegalArgumentException(origin + " is not a cluster API key (mpk.<cluster id>.<secret>, as "
                + "POST /api/v1/clusters or rotate-key returned it)");
        }
        return key.substring(PREFIX.length(), dot);
    }

    @Override
    public String toString()
    {
        return origin;
    }
}
