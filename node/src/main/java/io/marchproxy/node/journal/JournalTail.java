package io.marchproxy.node.journal;

import io.marchproxy.journal.FlowJournalReader;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * {@code journal tail}: prints the node's flow journal, one record a line (opens, closes with packets, bytes and
 * duration, drop samples), oldest first. {@link #run} is the command without the process around it (exit code,
 * output streams), so that a {@code marchproxy journal tail} command can call it.
 *
 * <pre>
 * tail [--dir DIR] [--service NAME] [--since TIME] [--until TIME] [--follow]
 *   --dir DIR       the journal's directory (default: $MARCHPROXY_JOURNAL_DIR, else $MARCHPROXY_STORE_DIR/flows,
 *                   else ./data/flows: where bin/node writes it)
 *   --service NAME  only records of this service
 *   --since TIME    from TIME: an instant (2026-12-06T10:00:00Z) or an age (90s, 15m, 2h, 7d)
 *   --until TIME    before TIME, the same forms
 *   --follow        keep printing records as they are appended (until Ctrl-C, or --until)
 * </pre>
 */
public final class JournalTail
{
    static final String USAGE = """
        usage: journal tail [--dir DIR] [--service NAME] [--since TIME] [--until TIME] [--follow]
          --dir DIR       the journal's directory (default: $MARCHPROXY_JOURNAL_DIR, else
                          $MARCHPROXY_STORE_DIR/flows, else ./data/flows)
          --service NAME  only records of this service
          --since TIME    from TIME: an instant (2026-12-06T10:00:00Z) or an age (90s, 15m, 2h, 7d)
          --until TIME    before TIME, the same forms
          --follow        keep printing records as they are appended (until Ctrl-C or --until)""";

    private JournalTail()
    {
    }

    public static void main(final String[] args)
    {
        final CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "journal-tail-stop"));
        System.exit(run(args, System.out, System.err, stop));
    }

    /** Runs the command; returns the exit code (0 done, 2 bad arguments, 1 no journal or it could not be read). */
    public static int run(final String[] args)
    {
        return run(args, System.out, System.err, new CountDownLatch(1));
    }

    /** Runs the command, printing to {@code out} and {@code err}; {@code --follow} ends when {@code stop} opens. */
    public static int run(final String[] args, final PrintStream out, final PrintStream err, final CountDownLatch stop)
    {
        final Instant now = Instant.now();
        Path dir = null;
        String service = null;
        Instant since = null;
        Instant until = null;
        boolean follow = false;
        try
        {
            int i = 0;
            if (i < args.length && args[i].equals("tail"))
            {
                i++;
            }
            for (; i < args.length; i++)
            {
                switch (args[i])
                {
                    case "--dir" -> dir = Path.of(value(args, ++i, "--dir"));
                    case "--service" -> service = value(args, ++i, "--service");
                    case "--since" -> since = time(value(args, ++i, "--since"), now);
                    case "--until" -> until = time(value(args, ++i, "--until"), now);
                    case "--follow", "-f" -> follow = true;
                    case "--help", "-h" ->
                    {
                        out.println(USAGE);
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("journal tail: " + ex.getMessage());
            err.println(USAGE);
            return 2;
        }
        final FlowJournalReader.Query query = new FlowJournalReader.Query(service, since, until);
        try (FlowJournalReader reader = FlowJournalReader.open(dir == null ? defaultDir() : dir))
        {
            if (follow)
            {
                reader.follow(query, r -> out.println(r.toLine()), () -> stop.getCount() == 0);
            }
            else
            {
                reader.read(query, r -> out.println(r.toLine()));
            }
            out.flush();
            return 0;
        }
        catch (final RuntimeException ex)
        {
            err.println("journal tail: " + ex.getMessage());
            return 1;
        }
    }

    /** Where bin/node writes the journal when not told otherwise. */
    static Path defaultDir()
    {
        final String journal = System.getenv("MARCHPROXY_JOURNAL_DIR");
        if (journal != null && !journal.isBlank())
        {
            return Path.of(journal);
        }
        final String store = System.getenv("MARCHPROXY_STORE_DIR");
        return (store != null && !store.isBlank() ? Path.of(store) : Path.of("data")).resolve("flows");
    }

    private static String value(final String[] args, final int i, final String option)
    {
        if (i >= args.length)
        {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** An instant, or an age before {@code now}: a number and one of s, m, h, d. */
    static Instant time(final String text, final Instant now)
    {
        try
        {
            return Instant.parse(text);
        }
        catch (final DateTimeParseException notAnInstant)
        {
            final String t = text.trim().toLowerCase(Locale.ROOT);
            if (t.length() >= 2 && t.substring(0, t.length() - 1).chars().allMatch(Character::isDigit))
            {
                final long n = Long.parseLong(t.substring(0, t.length() - 1));
                final Duration age = switch (t.charAt(t.length() - 1))
                {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    case 'd' -> Duration.ofDays(n);
                    default -> null;
                };
                if (age != null)
                {
                    return now.minus(age);
                }
            }
            throw new IllegalArgumentException("not a time: '" + text + "' (an instant like 2026-12-06T10:00:00Z,"
                + " or an age like 90s, 15m, 2h, 7d)");
        }
    }
}
