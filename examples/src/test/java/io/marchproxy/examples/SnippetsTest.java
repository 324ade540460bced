package io.marchproxy.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The code the documents show is the code CI compiles and runs: every Java block that README.md or docs/*.md mark
 * with {@code <!-- example: examples/src/main/java/... -->} is that file, whole and verbatim, and every example file
 * is shown somewhere. When this fails, copy the example file into the block (or the block into the file).
 */
class SnippetsTest
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern MARKED = Pattern.compile(
        "<!-- example: (\\S+) -->\\n```java\\n(.*?)```\\n", Pattern.DOTALL);

    @Test
    void everyMarkedBlockIsItsExampleVerbatim() throws IOException
    {
        final Map<String, List<String>> shown = shown();
        assertFalse(shown.isEmpty(), "README.md and docs/*.md show examples");
        for (final Map.Entry<String, List<String>> e : shown.entrySet())
        {
            final Path file = ROOT.resolve(e.getKey());
            if (!Files.isRegularFile(file))
            {
                fail("a document shows " + e.getKey() + ", which does not exist");
            }
            final String code = Files.readString(file);
            for (final String block : e.getValue())
            {
                if (!block.equals(code))
                {
                    fail(e.getKey() + " and its block in the docs differ from line " + firstDifference(code, block)
                        + ": copy the file into the block");
                }
            }
        }
    }

    @Test
    void everyExampleIsShown() throws IOException
    {
        final TreeSet<String> files = new TreeSet<>();
        try (Stream<Path> all = Files.walk(ROOT.resolve("examples/src/main/java")))
        {
            all.filter(p -> p.toString().endsWith(".java") && !p.endsWith("package-info.java"))
                .forEach(p -> files.add(ROOT.relativize(p).toString()));
        }
        files.removeAll(shown().keySet());
        assertEquals(new TreeSet<String>(), files, "examples no document shows");
    }

    /** Path of each example file, with the blocks that show it. */
    private static Map<String, List<String>> shown() throws IOException
    {
        final List<Path> documents = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs")))
        {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        final Map<String, List<String>> shown = new LinkedHashMap<>();
        for (final Path document : documents)
        {
            final Matcher m = MARKED.matcher(Files.readString(document));
            while (m.find())
            {
                shown.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(m.group(2));
            }
        }
        return shown;
    }

    private static int firstDifference(final String a, final String b)
    {
        final String[] x = a.split("\n", -1);
        final String[] y = b.split("\n", -1);
        int i = 0;
        while (i < x.length && i < y.length && x[i].equals(y[i]))
        {
            i++;
        }
        return i + 1;
    }
}
