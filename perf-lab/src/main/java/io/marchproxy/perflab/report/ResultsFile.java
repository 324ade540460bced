package io.marchproxy.perflab.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The results file read: every well-formed line as a {@link ResultLine}, in file order, and every other line as a
 * problem ("line N: why"), skipped. Blank lines are ignored.
 *
 * @param path     the file read
 * @param lines    the results, in file order (oldest first, as the harnesses append)
 * @param problems one message per skipped line, naming its line number
 */
public record ResultsFile(Path path, List<ResultLine> lines, List<String> problems)
{
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads {@code path}; only an unreadable file throws. */
    public static ResultsFile read(final Path path) throws IOException
    {
        final List<ResultLine> lines = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8))
        {
            int number = 0;
            for (String text = in.readLine(); text != null; text = in.readLine())
            {
                number++;
                if (text.isBlank())
                {
                    continue;
                }
                try
                {
                    lines.add(parse(number, text));
                }
                catch (final JsonProcessingException ex)
                {
                    problems.add("line " + number + ": not JSON (" + ex.getOriginalMessage() + ")");
                }
                catch (final IllegalArgumentException ex)
                {
                    problems.add("line " + number + ": " + ex.getMessage());
                }
            }
        }
        return new ResultsFile(path, List.copyOf(lines), List.copyOf(problems));
    }

    static ResultLine parse(final int number, final String text) throws JsonProcessingException
    {
        final JsonNode node = JSON.readTree(text);
        if (node == null || !node.isObject())
        {
            throw new IllegalArgumentException("not a JSON object");
        }
        final JsonNode harness = node.get("harness");
        if (harness == null || !harness.isTextual() || harness.asText().isEmpty())
        {
            throw new IllegalArgumentException("no \"harness\"");
        }
        final JsonNode result = node.get("result");
        if (result == null || !result.isObject())
        {
            throw new IllegalArgumentException("no \"result\" object");
        }
        final Fingerprint fingerprint = Fingerprint.of(node.get("env"));
        final List<String> args = new ArrayList<>();
        for (final JsonNode arg : node.path("args"))
        {
            args.add(arg.asText());
        }
        final Map<String, String> options = new LinkedHashMap<>();
        for (final Map.Entry<String, JsonNode> e : node.path("env").path("options").properties())
        {
            options.put(e.getKey(), e.getValue().asText());
        }
        return new ResultLine(number, harness.asText(), List.copyOf(args), Collections.unmodifiableMap(options), fingerprint,
            result);
    }
}
