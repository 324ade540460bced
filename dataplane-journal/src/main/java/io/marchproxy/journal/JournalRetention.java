package io.marchproxy.journal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes the journal's daily files ({@code yyyyMMddF.cq4}, UTC days, Chronicle's {@code FAST_DAILY} cycle) older than
 * the retention: with {@code days} = 7, today's file and the six before it stay.
 */
final class JournalRetention
{
    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

    private JournalRetention()
    {
    }

    /** Deletes the files of days before {@code today - (days - 1)}; returns the deleted files. */
    static List<Path> sweep(final Path dir, final LocalDate today, final int days) throws IOException
    {
        final LocalDate oldestKept = today.minusDays(days - 1L);
        final List<Path> deleted = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.cq4"))
        {
            for (final Path f : files)
            {
                final LocalDate day = day(f.getFileName().toString());
                if (day != null && day.isBefore(oldestKept))
                {
                    Files.deleteIfExists(f);
                    deleted.add(f);
                }
            }
        }
        return deleted;
    }

    /** The day of a daily file's name, or null for another file. */
    static LocalDate day(final String fileName)
    {
        if (fileName.length() < 8)
        {
            return null;
        }
        try
        {
            return LocalDate.parse(fileName.substring(0, 8), DAY);
        }
        catch (final DateTimeParseException ex)
        {
            return null;
        }
    }
}
