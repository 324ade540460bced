package io.marchproxy.node.cli;

import io.marchproxy.journal.FlowJournalReader;
import io.marchproxy.node.ShutdownSignal;
import io.marchproxy.node.journal.JournalTail;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * {@code marchproxy journal tail}: prints a node's flow journal ({@link JournalTail}). {@code --follow} ends on Ctrl-C
 * or SIGTERM.
 */
@Command(name = "journal", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    synopsisSubcommandLabel = "tail",
    description = {"The node's flow journal (./data/flows by default): flow opens and closes, drop samples.", ""},
    subcommands = JournalCommand.Tail.class)
final class JournalCommand
{
    /** {@code journal tail [--dir DIR] [--service NAME] [--since TIME] [--until TIME] [--follow]}. */
    @Command(name = "tail", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {"Prints the journal's records, oldest first, one a line: flow opens, closes (packets, bytes and "
            + "duration both ways) and drop samples. Needs read access to the journal's directory, not root.", ""})
    static final class Tail implements Callable<Integer>
    {
        @Option(names = "--dir", paramLabel = "DIR", description = "the journal's directory (default: "
            + "$MARCHPROXY_JOURNAL_DIR, else $MARCHPROXY_STORE_DIR/flows, else ./data/flows: where a node writes it)")
        Path dir;

        @Option(names = "--service", paramLabel = "NAME", description = "only records of this service")
        String service;

        @Option(names = "--since", paramLabel = "TIME", converter = Time.class,
            description = "from TIME: an instant (2026-12-06T10:00:00Z) or an age (90s, 15m, 2h, 7d)")
        Instant since;

        @Option(names = "--until", paramLabel = "TIME", converter = Time.class,
            description = "before TIME, the same forms")
        Instant until;

        @Option(names = {"-f", "--follow"},
            description = "keep printing records as they are appended (until Ctrl-C, or --until)")
        boolean follow;

        @Override
        public Integer call()
        {
            final ShutdownSignal signal = ShutdownSignal.install("journal-tail-stop", 5);
            try
            {
                return JournalTail.tail(dir, new FlowJournalReader.Query(service, since, until), follow, System.out,
                    System.err, signal.stop());
            }
            finally
            {
                signal.finished();
            }
        }
    }

    /** An instant or an age ({@link JournalTail#time}). */
    static final class Time implements ITypeConverter<Instant>
    {
        @Override
        public Instant convert(final String value)
        {
            try
            {
                return JournalTail.time(value, Instant.now());
            }
            catch (final IllegalArgumentException ex)
            {
                throw new TypeConversionException(ex.getMessage());
            }
        }
    }
}
