package io.marchproxy.perflab.report;

import java.util.List;
import java.util.regex.Pattern;

/** The markdown the report writes: headings, paragraphs, tables, figures with the fingerprint of what they show. */
final class Markdown
{
    /** A cell that holds only figures: numbers, "-", ranges and pairs ("1,234 - 2,345", "103 / 2,777", "87.2 ± 3.1"). */
    private static final Pattern FIGURE = Pattern.compile("[-0-9.,/ ±]+");

    private final StringBuilder text = new StringBuilder();

    Markdown heading(final int level, final String title)
    {
        text.append('\n').append("#".repeat(level)).append(' ').append(title).append("\n\n");
        return this;
    }

    Markdown paragraph(final String paragraph)
    {
        text.append(paragraph).append("\n\n");
        return this;
    }

    /** A table; a column of figures is right-aligned, any other left-aligned; a cell's '|' is escaped. */
    Markdown table(final List<String> header, final List<List<String>> rows)
    {
        row(header);
        text.append('|');
        for (int i = 0; i < header.size(); i++)
        {
            final int column = i;
            final boolean figures = !rows.isEmpty()
                && rows.stream().allMatch(r -> column < r.size() && FIGURE.matcher(r.get(column)).matches());
            text.append(figures ? " ---: |" : " --- |");
        }
        text.append('\n');
        rows.forEach(this::row);
        text.append('\n');
        return this;
    }

    private void row(final List<String> cells)
    {
        text.append('|');
        for (final String cell : cells)
        {
            text.append(' ').append(cell.replace("|", "\\|")).append(" |");
        }
        text.append('\n');
    }

    /** The image, its caption, then one "Measured:" line per result it shows: the command and its fingerprint. */
    Markdown figure(final String link, final String title, final String caption, final List<ResultLine> sources)
    {
        text.append("![").append(title).append("](").append(link).append(")\n\n");
        text.append("*").append(title).append(".* ").append(caption).append("\n");
        for (final ResultLine source : sources)
        {
            text.append("Measured (results line ").append(source.lineNumber()).append("): `")
                .append(source.command().replace("`", "'")).append("`, ").append(source.fingerprint().summary())
                .append(".\n");
        }
        text.append('\n');
        return this;
    }

    /** One "Measured:" line for a table's source. */
    Markdown source(final ResultLine source)
    {
        text.append("Measured (results line ").append(source.lineNumber()).append("): `")
            .append(source.command().replace("`", "'")).append("`, ").append(source.fingerprint().summary())
            .append(".\n\n");
        return this;
    }

    @Override
    public String toString()
    {
        return text.toString();
    }
}
