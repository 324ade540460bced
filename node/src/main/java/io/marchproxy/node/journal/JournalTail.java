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
 * duration, drop samples), oldest first, filtered by service and time; with {@code follow}, keeps printing records as
 * they are appended. {@code marchproxy journal tail} parses the command line and calls {@link #tail}.
 */
public final class JournalTail
{
    private JournalTail()
    {
    }

    /**
     * Prints the records of the journal in {@code dir} that match, oldest first.
     *
     * @param dir     the journal's directory, or null for {@link #defaultDir()}
     * @param query   which records: service, since, until
     * @param follow  keep printing records as they are appended, until {@code stop} opens (or the query's until)
     * @param out     where the records go
     * @param err     where a failure is said
     * @param stop    ends {@code follow}
     * @return the exit status: 0 done, 1 no journal or it could not be read
     */
    public static int tail(final Path dir, final FlowJournalReader.Query query, final boolean follow,
        final PrintStream out, final PrintStream err, final CountDownLatch stop)
    {
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

    /**
     * {@return where bin/node writes the journal when not told otherwise} {@code $MARCHPROXY_JOURNAL_DIR}, else
     * {@code $MARCHPROXY_STORE_DIR/flows}, else {@code ./data/flows}.
     */
    public static Path defaultDir()
    {
        final String journal = System.getenv("MARCHPROXY_JOURNAL_DIR");
        if (journal != null && !journal.isBlank())
        {
            return Path.of(journal);
        }
        final String store = System.getenv("MARCHPROXY_STORE_DIR");
        return (store != null && !store.isBlank() ? Path.of(store) : Path.of("data")).resolve("flows");
    }

    /**
     * {@return an instant, or an age before {@code now}: a number and one of s, m, h, d}
     *
     * @param text the instant (ISO-8601) or the age
     * @param now  what an age counts back from
     * @throws IllegalArgumentException saying which forms it takes
     */
    public static Instant time(final String text, final Instant now)
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
