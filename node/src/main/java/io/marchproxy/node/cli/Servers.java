package io.marchproxy.node.cli;

import io.helidon.config.Config;
import io.marchproxy.control.ControlPlaneMain;
import io.marchproxy.control.ControlPlaneSettings;
import io.marchproxy.control.xds.XdsSettings;
import io.marchproxy.node.DataplaneSettings;
import io.marchproxy.node.JournalSettings;
import io.marchproxy.node.Node;
import io.marchproxy.node.NodeOptions;
import io.marchproxy.node.ShutdownSignal;
import io.marchproxy.node.agent.AgentMain;
import io.marchproxy.node.agent.AgentOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * What the server commands do once their options are parsed: configure logging, check privileges, read the
 * configuration, install the shutdown signal and run until stopped. Kept apart from the command classes so that
 * {@code --help} loads none of it.
 */
final class Servers
{
    private Servers()
    {
    }

    /**
     * Runs a node until stopped.
     *
     * @param command  the command's name, for messages
     * @param options  the node's options
     * @param log      the logging options
     * @param labStore for the lab command: run the control plane on a temporary store in this directory's place,
     *                 deleted on exit (null: the configured store)
     * @return the exit status
     * @throws Exception when the node cannot start
     */
    static int runNode(final String command, final NodeOptions options, final LogOptions log, final Path labStore)
        throws Exception
    {
        log.configure();
        Privileges.requireDataplane(command, options.lab());
        final Config config = ControlPlaneMain.config();
        ControlPlaneSettings settings = ControlPlaneSettings.fromConfig(config);
        if (labStore != null)
        {
            settings = settings.withDataDir(labStore);
            System.out.println("lab: the control plane's store is a temporary directory, deleted on exit: " + labStore);
        }
        final ShutdownSignal signal = ShutdownSignal.install("marchproxy-stop", 15);
        try
        {
            Node.run(options, settings, XdsSettings.fromConfig(config), DataplaneSettings.fromConfig(config),
                JournalSettings.fromConfig(config, settings.dataDir()), signal.stop(), System.out);
        }
        finally
        {
            try
            {
                if (labStore != null)
                {
                    deleteTree(labStore);
                }
            }
            finally
            {
                signal.finished();
            }
        }
        return 0;
    }

    /**
     * Runs an agent until stopped.
     *
     * @param options the agent's options
     * @param log     the logging options
     * @return the exit status
     * @throws Exception when the agent cannot start
     */
    static int runAgent(final AgentOptions options, final LogOptions log) throws Exception
    {
        log.configure();
        Privileges.requireDataplane("agent", options.lab());
        final DataplaneSettings dataplane = DataplaneSettings.fromConfig(ControlPlaneMain.config());
        final ShutdownSignal signal = ShutdownSignal.install("marchproxy-stop", 15);
        try
        {
            AgentMain.run(options, dataplane, signal.stop(), System.out);
        }
        finally
        {
            signal.finished();
        }
        return 0;
    }

    /**
     * Runs a control plane (no dataplane) until stopped.
     *
     * @param log the logging options
     * @return the exit status
     * @throws Exception when the control plane cannot start
     */
    static int runControlPlane(final LogOptions log) throws Exception
    {
        log.configure();
        final ShutdownSignal signal = ShutdownSignal.install("marchproxy-stop", 15);
        try
        {
            ControlPlaneMain.run(ControlPlaneMain.config(), signal.stop(), System.out);
        }
        finally
        {
            signal.finished();
        }
        return 0;
    }

    private static void deleteTree(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> files = Files.walk(dir))
        {
            for (final Path p : files.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(p);
            }
        }
    }
}
