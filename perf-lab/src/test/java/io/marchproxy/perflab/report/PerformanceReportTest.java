package io.marchproxy.perflab.report;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report on a small results file (src/test/resources/report/results.jsonl: an lb run, rxdrop at two frame lengths,
 * an apply run, a JMH run, an lb run of the Java side alone with an option from the environment, one line that is not
 * JSON, one without a fingerprint and a statistics on/off run): the markdown names every plot and
 * the fingerprint of what it shows, every plot is a PNG that ImageIO reads back, and the bad lines are reported by
 * number and skipped.
 */
final class PerformanceReportTest
{
    private static final Pattern IMAGE = Pattern.compile("!\\[[^]]*]\\(([^)]+\\.png)\\)");

    @TempDir
    static Path dir;
    private static Path results;

    @BeforeAll
    static void fixture() throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        results = dir.resolve("results.jsonl");
        try (InputStream in = PerformanceReportTest.class.getResourceAsStream("/report/results.jsonl"))
        {
            assertNotNull(in, "fixture on the class path");
            Files.copy(in, results, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void malformedLinesAreReportedByNumberAndSkipped() throws IOException
    {
        final ResultsFile file = ResultsFile.read(results);
        assertEquals(List.of(1, 2, 3, 5, 8, 9, 10), file.lines().stream().map(ResultLine::lineNumber).toList());
        assertEquals(2, file.problems().size(), file.problems().toString());
        assertTrue(file.problems().get(0).startsWith("line 4: not JSON"), file.problems().get(0));
        assertTrue(file.problems().get(1).startsWith("line 6: no \"env\""), file.problems().get(1));
    }

    @Test
    void writesMarkdownNamingEveryPlotAndItsFingerprint() throws IOException
    {
        final Path out = dir.resolve("docs/PERFORMANCE.md");
        final Path figures = dir.resolve("docs/performance");
        Files.createDirectories(figures);
        final Path stale = Files.writeString(figures.resolve("stale.png"), "an old plot");
        final List<Path> pngs = PerformanceReport.write(ResultsFile.read(results), out, figures);

        final String md = Files.readString(out, StandardCharsets.UTF_8);
        final Set<String> linked = IMAGE.matcher(md).results().map(m -> m.group(1)).collect(Collectors.toSet());
        final Set<String> plotted = pngs.stream().map(p -> "performance/" + p.getFileName()).collect(Collectors.toSet());
        assertEquals(plotted, linked, "every plot is in the markdown, nothing else is");
        assertTrue(plotted.containsAll(Set.of("performance/afxdp-pps.png", "performance/afxdp-rxdrop-frame-size.png",
            "performance/lb-cpu.png", "performance/lb-pps.png", "performance/lb-rtt-cdf.png",
            "performance/config-propagation-cdf.png", "performance/lb-single-cpu.png")), plotted.toString());
        for (final Path png : pngs)
        {
            final BufferedImage image = ImageIO.read(png.toFile());
            assertNotNull(image, png + " is a PNG ImageIO reads");
            assertEquals(Charts.WIDTH, image.getWidth());
            assertEquals(Charts.HEIGHT, image.getHeight());
        }
        assertFalse(Files.exists(stale), "a plot of an earlier report is removed");

        // each figure is followed by the command and fingerprint of the run it shows
        final Matcher figure = IMAGE.matcher(md);
        while (figure.find())
        {
            final String after = md.substring(figure.end(), md.indexOf("\n\n", md.indexOf("Measured", figure.end())));
            assertTrue(after.contains("Measured (results line "), figure.group(1) + ": " + after);
            assertTrue(after.contains("commit `1234567890`"), figure.group(1) + ": " + after);
            assertTrue(after.contains("kernel 6.18.0-fixture, Fixture CPU x2, JDK 25.0.3+9-LTS"), after);
        }
        assertTrue(md.contains("`perf-lab/run lb --seconds 3 --repeat 3`, commit `1234567890`, 2026-12-06 10:00-10:01 "
            + "UTC, load 3.5 -> 3.5"), "lb figure names its run");
        assertTrue(md.contains("PacketPathBenchmark.establishedFlow") && md.contains("87.2 ± 3.10"), "JMH table");
        assertTrue(md.contains("- line 4: not JSON"), "the skipped lines are listed");
        assertTrue(md.contains("| 905,000 |"), "the Java median of the rxdrop rounds");
        assertTrue(md.contains("`PERF_LAB_LB_OPTS='--qos off' perf-lab/run lb --impl java"), "options of the run named");
        assertTrue(md.contains("Medians of the forwarding path's own share: off 2,000 ns/pkt, on 2,100 ns/pkt, on/off 1.05")
            && md.contains("on/off 1.14."), "statistics on/off: the own share's ratio first, the busy share's after");
    }
}
