package io.marchproxy.node.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code marchproxy}: one command for everything MarchProxy runs. Without a subcommand it prints the usage and exits 2;
 * {@code --help} and {@code --version} answer at once, set nothing up and need no root.
 */
@Command(name = "marchproxy", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = {"MarchProxy: an L3/L4 proxy dataplane (AF_XDP and XDP from Java) with a control plane (REST, a "
        + "durable store, xDS for Envoy).", ""},
    subcommands = {NodeCommand.class, ControlPlaneCommand.class, LabCommand.class, AgentCommand.class,
        StatsCommand.class, JournalCommand.class, LicenceCommand.class, EnvoyBootstrapCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Every application.yaml key can be set from the environment (SERVER_PORT, MARCHPROXY_STORE_DIR, "
        + "...; docs/CONTROL-API.md). MARCHPROXY_JVM_OPTS adds JVM options."})
public final class MarchproxyCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    /**
     * Runs {@code marchproxy} with {@code args} and exits with its status.
     *
     * @param args the command line
     */
    public static void main(final String[] args)
    {
        System.exit(execute(args));
    }

    /**
     * Runs {@code marchproxy} with {@code args} in this JVM.
     *
     * @param args the command line
     * @return the exit status: 0 done, 1 failed, 2 a usage error
     */
    public static int execute(final String... args)
    {
        return commandLine().execute(args);
    }

    /** {@return the command line, with the converters and the error handling every subcommand shares} */
    static CommandLine commandLine()
    {
        final CommandLine line = new CommandLine(new MarchproxyCommand());
        line.setCaseInsensitiveEnumValuesAllowed(true);
        line.setExecutionExceptionHandler((ex, cmd, parsed) ->
        {
            cmd.getErr().println("marchproxy " + cmd.getCommandName() + ": " + Failures.describe(ex));
            return 1;
        });
        return line;
    }

    @Override
    public Integer call()
    {
        spec.commandLine().getErr().println("marchproxy: which command? (marchproxy --help lists them)");
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }
}
