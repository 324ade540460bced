package io.marchproxy.perflab.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Writes docs/PERFORMANCE.md and its PNG plots from the perf-lab results file. For each kind of result the latest run
 * of each variant (the harness's options other than how long it measures) is drawn and tabulated, with the command and
 * the fingerprint of every run shown under the figure; all runs are listed at the end, and lines that could not be read
 * are named by their line number.
 *
 * <pre>
 *   PerformanceReport [--results perf-lab/results/results.jsonl] [--out docs/PERFORMANCE.md]
 *                     [--figures docs/performance]
 * </pre>
 * The PNG files in the figures directory that this run did not write are removed (they belong to an earlier report).
 * Exit status 0, 1 when the results file cannot be read, 2 on bad usage.
 */
public final class PerformanceReport
{
    /** Options that say how long or how often a harness measures, not what: left out of a variant's name. */
    private static final Set<String> LENGTH_OPTIONS = Set.of("--seconds", "--warmup", "--repeat", "--rtt-requests",
        "--changes", "--rounds", "--check", "--start-timeout");
    private static final List<String> AF_XDP_SCENARIOS = List.of("rxdrop", "txonly", "l2fwd");
    private static final int DEFAULT_FRAME_LEN = 60;

    private final ResultsFile results;
    private final Path figures;
    private final String figureLink;
    private final Markdown md = new Markdown();
    private final Set<Path> written = new LinkedHashSet<>();
    private final Set<Integer> shown = new LinkedHashSet<>();

    private PerformanceReport(final ResultsFile results, final Path out, final Path figures)
    {
        this.results = results;
        this.figures = figures;
        final Path base = out.toAbsolutePath().getParent();
        this.figureLink = base.relativize(figures.toAbsolutePath()).toString().replace('\\', '/');
    }

    public static void main(final String[] args)
    {
        System.setProperty("java.awt.headless", "true");
        Path resultsPath = Path.of("perf-lab/results/results.jsonl");
        Path out = Path.of("docs/PERFORMANCE.md");
        Path figures = null;
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help"))
            {
                System.out.println("usage: PerformanceReport [--results FILE] [--out FILE.md] [--figures DIR]");
                return;
            }
            if (i + 1 >= args.length)
            {
                usage("option " + arg + " needs a value");
            }
            final String value = args[++i];
            switch (arg)
            {
                case "--results" -> resultsPath = Path.of(value);
                case "--out" -> out = Path.of(value);
                case "--figures" -> figures = Path.of(value);
                default -> usage("unknown option " + arg);
            }
        }
        if (figures == null)
        {
            figures = out.toAbsolutePath().getParent().resolve("performance");
        }
        try
        {
            final ResultsFile file = ResultsFile.read(resultsPath);
            for (final String problem : file.problems())
            {
                System.err.println("perf-lab report: " + resultsPath + ": " + problem + " (skipped)");
            }
            final List<Path> pngs = write(file, out, figures);
            System.err.println("perf-lab report: " + out + " from " + file.lines().size() + " results, "
                + pngs.size() + " plots in " + figures);
        }
        catch (final IOException ex)
        {
            System.err.println("perf-lab report: " + ex);
            System.exit(1);
        }
    }

    private static void usage(final String message)
    {
        System.err.println("perf-lab report: " + message
            + "\nusage: PerformanceReport [--results FILE] [--out FILE.md] [--figures DIR]");
        System.exit(2);
    }

    /**
     * Writes the markdown to {@code out} and the plots into {@code figures} (created if needed; other PNG files there
     * removed); returns the plots written.
     */
    public static List<Path> write(final ResultsFile results, final Path out, final Path figures) throws IOException
    {
        Files.createDirectories(figures);
        if (out.toAbsolutePath().getParent() != null)
        {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        final PerformanceReport report = new PerformanceReport(results, out, figures);
        final String text = report.render();
        Files.writeString(out, text, StandardCharsets.UTF_8);
        try (DirectoryStream<Path> pngs = Files.newDirectoryStream(figures, "*.png"))
        {
            for (final Path png : pngs)
            {
                if (!report.written.contains(png))
                {
                    Files.delete(png);
                }
            }
        }
        return List.copyOf(report.written);
    }

    private String render() throws IOException
    {
        md.paragraph("# Performance\n\n"
            + "Generated by `perf-lab/report` from `" + results.path().getFileName() + "` ("
            + results.lines().size() + " results" + (results.problems().isEmpty() ? ""
            : ", " + results.problems().size() + " unreadable lines skipped") + "). Do not edit: run the harnesses "
            + "(each appends its JSON result with the fingerprint of the run to `perf-lab/results/results.jsonl`), then "
            + "`perf-lab/report`. Each figure and table shows the latest run of its kind and names it: the command, the "
            + "commit, the time, the load average before and after, kernel, CPU and JDK. The machines these ran on are "
            + "shared 2-core VMs: the load average is that of other work (builds, tests) running at the same time, and "
            + "figures swing between rounds and runs; compare implementations inside one run, not across runs.");
        afXdp();
        lb();
        stats();
        changePropagation();
        rest();
        jmh();
        others();
        history();
        if (!results.problems().isEmpty())
        {
            md.heading(2, "Unreadable lines (skipped)");
            final StringBuilder b = new StringBuilder();
            results.problems().forEach(p -> b.append("- ").append(p).append('\n'));
            md.paragraph(b.toString().stripTrailing());
        }
        return md.toString().replaceAll("\n{3,}", "\n\n").strip() + "\n";
    }

    // ---- AF_XDP scenarios: Java against the C reference ---------------------------------------------------------

    private void afXdp() throws IOException
    {
        final List<ResultLine> runs = select(r -> r.harness().equals("perf-lab/run")
            && AF_XDP_SCENARIOS.contains(r.result().path("scenario").asText()));
        if (runs.isEmpty())
        {
            return;
        }
        md.heading(2, "AF_XDP scenarios: Java against the C reference (`perf-lab/run`)");
        md.paragraph("`perf-lab/run rxdrop|txonly|l2fwd` runs the C reference (`perf-lab/c/xsk_ref.c`) and the Java "
            + "implementation (`XskScenario`) alternately in fresh veth labs, N rounds each (perf-lab/README.md). "
            + "Figure: packets per second counted by each implementation in its measurement window, one box per "
            + "implementation over the rounds of one run (median line, box: quartiles, whiskers: the rest).");
        // the latest run of each scenario at the default frame length without other options
        final Map<String, Map<String, List<Double>>> boxes = Charts.ordered();
        final List<ResultLine> sources = new ArrayList<>();
        for (final String scenario : AF_XDP_SCENARIOS)
        {
            final ResultLine latest = latest(runs, r -> r.result().path("scenario").asText().equals(scenario)
                && variant(r, Set.of("--frame-len")).equals(scenario)
                && r.result().path("frame_len").asInt(DEFAULT_FRAME_LEN) == DEFAULT_FRAME_LEN);
            if (latest != null)
            {
                boxes.computeIfAbsent("c", k -> new LinkedHashMap<>())
                    .put(scenario, Numbers.of(latest.result().path("c_pps_runs")));
                boxes.computeIfAbsent("java", k -> new LinkedHashMap<>())
                    .put(scenario, Numbers.of(latest.result().path("java_pps_runs")));
                sources.add(latest);
            }
        }
        if (!sources.isEmpty())
        {
            final String png = plot("afxdp-pps.png");
            Charts.boxes(figures.resolve(png), "AF_XDP scenarios: Java against C", "60-byte frames, rounds of one "
                + "run per scenario", "packets/s", boxes);
            md.figure(link(png), "AF_XDP packets per second, C and Java", "One run per scenario, "
                + "60-byte frames, default options.", sources);
        }
        // every variant: its latest run per frame length
        final Map<String, Map<Integer, ResultLine>> variants = new TreeMap<>();
        for (final ResultLine r : runs)
        {
            variants.computeIfAbsent(variant(r, Set.of("--frame-len")), k -> new TreeMap<>())
                .put(r.result().path("frame_len").asInt(DEFAULT_FRAME_LEN), r);
        }
        final List<List<String>> rows = new ArrayList<>();
        for (final Map.Entry<String, Map<Integer, ResultLine>> v : variants.entrySet())
        {
            for (final Map.Entry<Integer, ResultLine> e : v.getValue().entrySet())
            {
                final JsonNode r = e.getValue().result();
                final List<Double> c = Numbers.of(r.path("c_pps_runs"));
                final List<Double> java = Numbers.of(r.path("java_pps_runs"));
                rows.add(List.of(v.getKey(), Integer.toString(e.getKey()), Numbers.fmt(Numbers.median(c)),
                    Numbers.range(c), Numbers.fmt(Numbers.median(java)), Numbers.range(java),
                    Numbers.fmt(Numbers.at(r, "ratio_median")), Numbers.fmt(Numbers.at(r, "ratio_pairs_median")),
                    Integer.toString(Math.max(c.size(), java.size())), ref(e.getValue())));
            }
        }
        md.table(List.of("variant", "frame bytes", "C pps (median)", "C rounds", "Java pps (median)", "Java rounds",
            "Java/C of medians", "Java/C per round (median)", "rounds", "run"), rows);
        for (final Map.Entry<String, Map<Integer, ResultLine>> v : variants.entrySet())
        {
            if (v.getValue().size() < 2)
            {
                continue;
            }
            final Map<String, List<double[]>> lines = Charts.ordered();
            for (final Map.Entry<Integer, ResultLine> e : v.getValue().entrySet())
            {
                final JsonNode r = e.getValue().result();
                lines.computeIfAbsent("c", k -> new ArrayList<>())
                    .add(new double[] {e.getKey(), Numbers.median(Numbers.of(r.path("c_pps_runs")))});
                lines.computeIfAbsent("java", k -> new ArrayList<>())
                    .add(new double[] {e.getKey(), Numbers.median(Numbers.of(r.path("java_pps_runs")))});
            }
            lines.values().forEach(l -> l.removeIf(p -> Double.isNaN(p[1])));
            final String png = plot("afxdp-" + slug(v.getKey()) + "-frame-size.png");
            Charts.lines(figures.resolve(png), v.getKey() + ": packets/s against frame size",
                "median over the rounds of the latest run at each size", "frame length (bytes)", "packets/s", lines);
            md.figure(link(png), "`" + v.getKey() + "`: pps against frame size", "The median over the rounds of "
                + "the latest run at each frame length (`--frame-len`); one run per point.",
                new ArrayList<>(v.getValue().values()));
        }
    }

    // ---- lb: the L4 proxy, the C l2fwd reference and the kernel -------------------------------------------------

    private void lb() throws IOException
    {
        final List<ResultLine> runs = select(r -> r.harness().equals("perf-lab/run")
            && r.result().path("scenario").asText().equals("lb"));
        if (runs.isEmpty())
        {
            return;
        }
        md.heading(2, "lb: the L4 proxy against C l2fwd and the kernel (`perf-lab/run lb`)");
        md.paragraph("`perf-lab/run lb` forwards the same UDP traffic several ways in each round, by default the Java L4 "
            + "proxy, the C AF_XDP l2fwd reference and the kernel's nftables NAT path (perf-lab/README.md; each table "
            + "names the implementations of its run). The primary figure is the "
            + "CPU time of the DUT core per forwarded packet (`ns/pkt`: its busy share over the window; `own ns/pkt`: "
            + "the share perf attributes to the forwarding path, other tasks left out); lower is better. Boxes show the "
            + "spread over the rounds of one run.");
        final Map<String, ResultLine> single = new TreeMap<>();
        for (final Map.Entry<String, ResultLine> e : latestByVariant(runs).entrySet())
        {
            if (impls(e.getValue().result()).size() > 1)
            {
                lbVariant(e.getKey(), e.getValue());
            }
            else if (impls(e.getValue().result()).size() == 1)
            {
                single.put(e.getKey(), e.getValue());
            }
        }
        if (!single.isEmpty())
        {
            lbSingle(single);
        }
    }

    /**
     * Runs of one implementation (e.g. {@code --impl java} with different {@code PERF_LAB_LB_OPTS}) side by side in one
     * plot: each variant's rounds as a box. They are separate runs, one after the other, not alternating rounds.
     */
    private void lbSingle(final Map<String, ResultLine> variants) throws IOException
    {
        md.heading(3, "One implementation, several settings");
        final Map<String, Map<String, List<Double>>> boxes = Charts.ordered();
        final List<List<String>> rows = new ArrayList<>();
        for (final Map.Entry<String, ResultLine> e : variants.entrySet())
        {
            final String impl = impls(e.getValue().result()).get(0);
            final JsonNode rounds = e.getValue().result().path("rounds").path(impl);
            String label = e.getKey().replace("lb --impl " + impl, "").strip();
            label = label.isEmpty() ? "defaults" : label;
            boxes.computeIfAbsent(impl, k -> new LinkedHashMap<>()).put(label, perRound(rounds, "ns_per_pkt"));
            rows.add(List.of("`" + e.getKey() + "`", impl, median(rounds, "sink_pps"), median(rounds, "ns_per_pkt"),
                median(rounds, "own_ns_per_pkt"), median(rounds, "proc_ns_per_pkt"),
                Integer.toString(perRound(rounds, "ns_per_pkt").size()), ref(e.getValue())));
        }
        final String png = plot("lb-single-cpu.png");
        Charts.boxes(figures.resolve(png), "lb, one implementation: CPU per forwarded packet", "DUT core, each "
            + "setting's rounds from its own run (lower is better)", "ns per packet (busy)", boxes);
        md.figure(link(png), "lb runs of one implementation, by setting", "Each box is the rounds of one run; the "
            + "runs were made one after the other, so other load may differ between them (see their load).",
            new ArrayList<>(variants.values()));
        md.table(List.of("run", "impl", "sink pps", "ns/pkt", "own ns/pkt", "proc ns/pkt", "rounds", "results line"),
            rows);
    }

    private void lbVariant(final String variant, final ResultLine run) throws IOException
    {
        final JsonNode r = run.result();
        final List<String> impls = impls(r);
        md.heading(3, "`" + variant + "`");
        final Map<String, Map<String, List<Double>>> cpu = Charts.ordered();
        final Map<String, Map<String, List<Double>>> pps = Charts.ordered();
        for (final String impl : impls)
        {
            final JsonNode rounds = r.path("rounds").path(impl);
            final Map<String, List<Double>> byFigure = new LinkedHashMap<>();
            byFigure.put("ns/pkt (busy)", perRound(rounds, "ns_per_pkt"));
            final List<Double> own = perRound(rounds, "own_ns_per_pkt");
            if (!own.isEmpty())
            {
                byFigure.put("own ns/pkt", own);
            }
            cpu.put(impl, byFigure);
            pps.put(impl, Map.of("forwarded pps (sink)", perRound(rounds, "sink_pps")));
        }
        final String slug = slug(variant);
        final String cpuPng = plot(slug + "-cpu.png");
        Charts.boxes(figures.resolve(cpuPng), variant + ": CPU per forwarded packet", "DUT core, rounds of one run "
            + "(lower is better)", "ns per packet", cpu);
        md.figure(link(cpuPng), "`" + variant + "`: CPU time per forwarded packet", "Over the "
            + r.path("repeat").asInt() + " rounds of the run.", List.of(run));
        final String ppsPng = plot(slug + "-pps.png");
        Charts.boxes(figures.resolve(ppsPng), variant + ": forwarded packets per second", "at the sink, rounds of one "
            + "run", "packets/s", pps);
        md.figure(link(ppsPng), "`" + variant + "`: forwarded packets per second", "Frames reaching the backend's "
            + "interface in the sink's window; with the source at full rate this is each path's capacity on one core.",
            List.of(run));
        final List<List<String>> rows = new ArrayList<>();
        // the XDP program's own run time, where the run measured it (bpf_stats after the CPU window)
        final boolean xdp = impls.stream().anyMatch(i -> !perRound(r.path("rounds").path(i), "xdp_ns_per_run").isEmpty());
        // the frames the DUT sent out of its egress, where the run counted them (lb-sample's LB_SAMPLE_EGRESS)
        final boolean sent = impls.stream().anyMatch(i -> !perRound(r.path("rounds").path(i), "fwd_pps").isEmpty());
        for (final String impl : impls)
        {
            final JsonNode rounds = r.path("rounds").path(impl);
            final List<String> row = new ArrayList<>(List.of(impl, median(rounds, "sink_pps"),
                median(rounds, "ns_per_pkt"), median(rounds, "own_ns_per_pkt")));
            if (sent)
            {
                row.addAll(List.of(median(rounds, "fwd_pps"), median(rounds, "own_fwd_ns_per_pkt")));
            }
            row.addAll(List.of(median(rounds, "proc_ns_per_pkt"),
                median(rounds, "rtt_p50_us") + " / " + median(rounds, "rtt_p99_us"),
                median(rounds, "rtt_offcore_p50_us") + " / " + median(rounds, "rtt_offcore_p99_us")));
            if (xdp)
            {
                row.add(median(rounds, "xdp_ns_per_run"));
            }
            rows.add(row);
        }
        final List<String> header = new ArrayList<>(List.of("impl", "sink pps", "ns/pkt", "own ns/pkt"));
        if (sent)
        {
            header.addAll(List.of("DUT sent pps", "own ns/frame sent"));
        }
        header.addAll(List.of("proc ns/pkt", "RTT p50 / p99 us", "offcore RTT p50 / p99 us"));
        if (xdp)
        {
            header.add("XDP ns/run");
        }
        md.table(header, rows);
        final List<String> ratios = new ArrayList<>();
        r.properties().forEach(f ->
        {
            if (f.getKey().endsWith("_ratio") && f.getValue().isNumber())
            {
                ratios.add("`" + f.getKey() + "` " + Numbers.fmt(f.getValue().asDouble()));
            }
        });
        md.paragraph("Medians over the rounds." + (ratios.isEmpty() ? "" : " Ratios of the medians: "
            + String.join(", ", ratios) + ".") + " Source rate " + Numbers.fmt(Numbers.at(r, "source_pps"))
            + " pps" + (r.path("rate").isNumber() ? " (paced at " + Numbers.fmt(Numbers.at(r, "rate")) + ")" : " (as fast "
            + "as the sender goes)") + (r.path("source").isTextual() ? "; frames in as `--source "
            + r.path("source").asText() + "`" + (r.path("peer").isTextual() ? ", the peer's receive as `--peer "
            + r.path("peer").asText() + "`" : "") + " (perf-lab/README.md)" : "") + ".");
        // round-trip CDFs: per implementation the round with the median p50, on the DUT core and off it
        final Map<String, List<double[]>> curves = Charts.ordered();
        final Set<String> dashed = new LinkedHashSet<>();
        for (final String impl : impls)
        {
            for (final String placement : List.of("", "offcore_"))
            {
                final List<double[]> curve = medianRoundCurve(r.path("rounds").path(impl), "rtt_" + placement);
                if (!curve.isEmpty())
                {
                    final String name = impl + (placement.isEmpty() ? "" : " offcore");
                    curves.put(name, curve);
                    if (!placement.isEmpty())
                    {
                        dashed.add(name);
                    }
                }
            }
        }
        if (!curves.isEmpty())
        {
            final String png = plot(slug + "-rtt-cdf.png");
            Charts.cdf(figures.resolve(png), variant + ": UDP round trips through the VIP", "per implementation the "
                + "round with the median p50; dashed: NAPI moved off the DUT core", "round trip (us)", curves, dashed);
            md.figure(link(png), "`" + variant + "`: round-trip latency CDF", "Sequential UDP requests through the "
                + "VIP after the throughput window (UdpRtt, HdrHistogram percentiles from 0 to 100); for each "
                + "implementation the round with the median p50 is drawn, on the lab as measured (solid) and with the "
                + "DUT's receive work moved to the other core (dashed, offcore).", List.of(run));
        }
    }

    /**
     * The implementations of an lb result with at least one successful round, in the order java, offload, l2fwd, kernel,
     * then any other.
     */
    private static List<String> impls(final JsonNode r)
    {
        final List<String> impls = new ArrayList<>();
        r.path("rounds").properties().forEach(e ->
        {
            if (!perRound(e.getValue(), "ns_per_pkt").isEmpty() || !perRound(e.getValue(), "sink_pps").isEmpty())
            {
                impls.add(e.getKey());
            }
        });
        final List<String> order = List.of("java", "offload", "l2fwd", "kernel");
        impls.sort(Comparator.comparingInt((String i) -> order.contains(i) ? order.indexOf(i) : order.size())
            .thenComparing(Comparator.naturalOrder()));
        return impls;
    }

    /** {@code field} of each successful round (lb's rounds carry "ok"), nulls left out. */
    private static List<Double> perRound(final JsonNode rounds, final String field)
    {
        final List<Double> values = new ArrayList<>();
        for (final JsonNode round : rounds)
        {
            if (round.path("ok").asBoolean(true) && round.path(field).isNumber())
            {
                values.add(round.path(field).asDouble());
            }
        }
        return values;
    }

    /** The median of {@code field} over the successful rounds, formatted; as lb's own table computes it. */
    private static String median(final JsonNode rounds, final String field)
    {
        return Numbers.fmt(Numbers.median(perRound(rounds, field)));
    }

    /** The CDF of the round whose {@code prefix}p50_us is the median of the rounds that have a CDF. */
    private static List<double[]> medianRoundCurve(final JsonNode rounds, final String prefix)
    {
        final List<JsonNode> withCurve = new ArrayList<>();
        for (final JsonNode round : rounds)
        {
            if (round.path(prefix + "cdf_us").isArray() || round.path(prefix + "p50_us").isNumber())
            {
                withCurve.add(round);
            }
        }
        if (withCurve.isEmpty())
        {
            return List.of();
        }
        withCurve.sort(Comparator.comparingDouble(n -> Numbers.at(n, prefix + "p50_us")));
        final JsonNode median = withCurve.get((withCurve.size() - 1) / 2);
        return curve(median, prefix + "cdf_us", prefix, "_us");
    }

    /**
     * The [[value, percentile]] points of {@code cdfField}, or when there is none the percentile fields
     * ({@code prefix}p50{@code unit}, p90, p99, p999, max) as points.
     */
    private static List<double[]> curve(final JsonNode node, final String cdfField, final String prefix,
        final String unit)
    {
        final List<double[]> points = new ArrayList<>();
        final JsonNode cdf = node.path(cdfField);
        if (cdf.isArray() && !cdf.isEmpty())
        {
            for (final JsonNode p : cdf)
            {
                points.add(new double[] {p.path(0).asDouble(), p.path(1).asDouble()});
            }
            return points;
        }
        final Map<String, Double> fields = new LinkedHashMap<>();
        fields.put("p50", 50.0);
        fields.put("p90", 90.0);
        fields.put("p99", 99.0);
        fields.put("p999", 99.9);
        fields.put("max", 100.0);
        fields.forEach((name, percentile) ->
        {
            final double v = Numbers.at(node, prefix + name + unit);
            if (!Double.isNaN(v))
            {
                points.add(new double[] {v, percentile});
            }
        });
        return points;
    }

    // ---- statistics on against off ------------------------------------------------------------------------------

    private void stats() throws IOException
    {
        final List<ResultLine> runs = select(r -> r.harness().equals("perf-lab/stats/run"));
        if (runs.isEmpty())
        {
            return;
        }
        md.heading(2, "Statistics and flow journal, on against off (`perf-lab/stats/run`)");
        md.paragraph("`perf-lab/stats/run` alternates `perf-lab/run lb --impl java` with the proxy's statistics and "
            + "flow journal off and on; the figure is the CPU time of the DUT core per forwarded packet (target: on/off "
            + "<= 1.1).");
        for (final Map.Entry<String, ResultLine> e : latestByVariant(runs).entrySet())
        {
            final JsonNode r = e.getValue().result();
            final Map<String, Map<String, List<Double>>> boxes = Charts.ordered();
            // since the harness reports the forwarding path's own share too, its ratio is taken on that
            final boolean own = r.has("off_own_runs");
            for (final String variant : List.of("off", "on"))
            {
                final Map<String, List<Double>> series = Charts.ordered();
                series.put("ns/pkt (busy)", Numbers.of(r.path(variant + "_runs")));
                if (own)
                {
                    series.put("ns/pkt (own)", Numbers.of(r.path(variant + "_own_runs")));
                }
                boxes.put("statistics " + variant, series);
            }
            final String png = plot(slug(e.getKey()) + ".png");
            Charts.boxes(figures.resolve(png), "Statistics and journal: CPU per forwarded packet", "java proxy, DUT "
                + "core, alternating rounds of one run", "ns per packet", boxes);
            final String busy = "off " + Numbers.fmt(Numbers.at(r, "off_ns_per_pkt")) + " ns/pkt, on "
                + Numbers.fmt(Numbers.at(r, "on_ns_per_pkt")) + " ns/pkt";
            md.figure(link(png), "`" + e.getKey() + "`: statistics off and on", (own
                ? "Medians of the forwarding path's own share: off " + Numbers.fmt(Numbers.at(r, "off_own_ns_per_pkt"))
                    + " ns/pkt, on " + Numbers.fmt(Numbers.at(r, "on_own_ns_per_pkt")) + " ns/pkt, on/off "
                    + Numbers.fmt(Numbers.at(r, "ratio")) + "; per round on/off " + r.path("pairs") + ". Of the busy "
                    + "share (other tasks on the core included): " + busy + ", on/off "
                    + Numbers.fmt(Numbers.at(r, "busy_ratio")) + "."
                : "Medians (busy share): " + busy + ", on/off " + Numbers.fmt(Numbers.at(r, "ratio"))
                    + "; per round on/off " + r.path("pairs") + "."), List.of(e.getValue()));
        }
    }

    // ---- a configuration change reaching a dataplane or an Envoy ------------------------------------------------

    private void changePropagation() throws IOException
    {
        final ResultLine apply = latest(results.lines(), r -> r.harness().equals("perf-lab/apply/run"));
        final ResultLine agents = latest(results.lines(), r -> r.harness().equals("perf-lab/agents/run"));
        final ResultLine xds = latest(results.lines(), r -> r.harness().equals("perf-lab/xds/run")
            && r.result().path("bench").asText().equals("xds-propagation"));
        final List<ResultLine> fanouts = select(r -> r.harness().equals("perf-lab/xds/run")
            && r.result().path("bench").asText().equals("ads-fanout"));
        if (apply == null && agents == null && xds == null && fanouts.isEmpty())
        {
            return;
        }
        md.heading(2, "Configuration changes reaching the dataplane, the agents and Envoy");
        md.paragraph("`perf-lab/apply/run`: a REST change (acknowledged write) until the node's L4 dataplane enforces "
            + "it, on one machine. `perf-lab/agents/run`: a REST change until both remote agents' dataplanes serve it. "
            + "`perf-lab/xds/run`: a REST change until a real Envoy serves a request with it.");
        final Map<String, List<double[]>> curves = Charts.ordered();
        final Set<String> dashed = new LinkedHashSet<>();
        final List<ResultLine> sources = new ArrayList<>();
        final List<List<String>> rows = new ArrayList<>();
        if (apply != null)
        {
            final JsonNode r = apply.result();
            curves.put("apply: ack -> enforced", curve(r, "ack_to_enforced_cdf_ms", "ack_to_enforced_", "_ms"));
            sources.add(apply);
            rows.add(List.of("apply: REST ack -> dataplane enforces", r.path("changes").asText(),
                Numbers.fmt(Numbers.at(r, "ack_to_enforced_p50_ms")), Numbers.fmt(Numbers.at(r, "ack_to_enforced_p90_ms")),
                Numbers.fmt(Numbers.at(r, "ack_to_enforced_p99_ms")), Numbers.fmt(Numbers.at(r, "ack_to_enforced_max_ms")),
                ref(apply)));
            // Where L4Proxy.apply's part of that went, stage by stage (runs from 2026-12-07 on record them).
            for (final String stage : List.of("compile", "links", "adoption", "program"))
            {
                if (r.has("stage_" + stage + "_p50_ms"))
                {
                    rows.add(List.of("apply, in L4Proxy.apply: " + stage, r.path("changes").asText(),
                        Numbers.fmt(Numbers.at(r, "stage_" + stage + "_p50_ms")), "-",
                        Numbers.fmt(Numbers.at(r, "stage_" + stage + "_p99_ms")), "-", ref(apply)));
                }
            }
        }
        if (agents != null)
        {
            final JsonNode r = agents.result();
            curves.put("agents: REST -> both agents", curve(r, "", "both_", "_ms"));
            dashed.add("agents: REST -> both agents");
            sources.add(agents);
            rows.add(List.of("agents: REST sent -> both agents serve", r.path("changes").asText(),
                Numbers.fmt(Numbers.at(r, "both_p50_ms")), "-", Numbers.fmt(Numbers.at(r, "both_p99_ms")),
                Numbers.fmt(Numbers.at(r, "both_max_ms")), ref(agents)));
        }
        if (xds != null)
        {
            final JsonNode r = xds.result();
            curves.put("xds: REST -> Envoy serves", curve(r, "", "", "_ms"));
            dashed.add("xds: REST -> Envoy serves");
            sources.add(xds);
            rows.add(List.of("xds: REST response -> Envoy serves (" + r.path("mode").asText() + ")",
                r.path("changes").asText(), Numbers.fmt(Numbers.at(r, "p50_ms")), Numbers.fmt(Numbers.at(r, "p90_ms")),
                Numbers.fmt(Numbers.at(r, "p99_ms")), Numbers.fmt(Numbers.at(r, "max_ms")), ref(xds)));
        }
        curves.values().removeIf(List::isEmpty);
        if (!curves.isEmpty())
        {
            final String png = plot("config-propagation-cdf.png");
            Charts.cdf(figures.resolve(png), "Configuration change to enforcement", "solid: HdrHistogram percentiles "
                + "0-100; dashed: the harness's p50/p90/p99/max only", "latency (ms)", curves, dashed);
            md.figure(link(png), "Configuration change to enforcement, CDF", "Dashed curves join the few "
                + "percentiles those harnesses report (p50, p90 where there is one, p99, max).", sources);
        }
        md.table(List.of("what", "changes", "p50 ms", "p90 ms", "p99 ms", "max ms", "run"), rows);
        if (!fanouts.isEmpty())
        {
            final List<List<String>> fanoutRows = new ArrayList<>();
            for (final ResultLine f : latestByVariant(fanouts).values())
            {
                final JsonNode r = f.result();
                fanoutRows.add(List.of(r.path("mode").asText(), r.path("services").asText(), r.path("streams").asText(),
                    r.path("changes").asText(), r.path("first_stream_p50_ms").asText() + " / "
                        + r.path("first_stream_max_ms").asText(), r.path("all_streams_p50_ms").asText() + " / "
                        + r.path("all_streams_max_ms").asText(), Numbers.fmt(Numbers.at(r, "client_cpu_seconds")),
                    ref(f)));
            }
            md.paragraph("ADS fan-out (`perf-lab/xds/run --mode fanout`, `fanout-trivial`: the client against a server "
                + "that only pushes responses, its floor): a change until the first and until all streams have it.");
            md.table(List.of("mode", "services", "streams", "changes", "first stream p50 / max ms",
                "all streams p50 / max ms", "client CPU s", "run"), fanoutRows);
        }
        addSources(sources);
    }

    // ---- REST ---------------------------------------------------------------------------------------------------

    private void rest() throws IOException
    {
        final ResultLine run = latest(results.lines(), r -> r.harness().equals("perf-lab/rest/run")
            && r.result().path("bench").asText().equals("rest"));
        if (run == null)
        {
            return;
        }
        final JsonNode r = run.result();
        md.heading(2, "Control API (`perf-lab/rest/run`)");
        md.paragraph("wrk and `WriteClient.java` on loopback against a control plane with a durable store (sync="
            + r.path("sync").asText() + "): reads of `GET /api/v1/services`, durable writes of `POST /api/v1/services` "
            + "in a closed loop and in an open loop at fixed rates (latency from each request's scheduled send time). "
            + "wrk's percentiles are corrected for coordinated omission; see perf-lab/rest/run.");
        final List<List<String>> rows = new ArrayList<>();
        final JsonNode get = r.path("get_services");
        rows.add(List.of("GET /api/v1/services (wrk, " + get.path("connections").asText() + " connections)",
            Numbers.fmt(Numbers.at(get, "per_second")), Numbers.fmt(Numbers.at(get, "p50_ms")),
            Numbers.fmt(Numbers.at(get, "p90_ms")), Numbers.fmt(Numbers.at(get, "p99_ms")), "-"));
        final JsonNode wrkPost = r.path("post_services_wrk");
        rows.add(List.of("POST /api/v1/services (wrk, closed loop, " + wrkPost.path("connections").asText()
            + " connections)", Numbers.fmt(Numbers.at(wrkPost, "per_second")), Numbers.fmt(Numbers.at(wrkPost, "p50_ms")),
            Numbers.fmt(Numbers.at(wrkPost, "p90_ms")), Numbers.fmt(Numbers.at(wrkPost, "p99_ms")), "-"));
        final Map<String, List<double[]>> curves = Charts.ordered();
        final List<JsonNode> writes = new ArrayList<>();
        if (r.path("post_services_closed_loop").isObject())
        {
            writes.add(r.path("post_services_closed_loop"));
        }
        r.path("post_services_open_loop").forEach(writes::add);
        for (final JsonNode w : writes)
        {
            final String name = w.path("loop").asText().equals("open")
                ? "POST open loop at " + w.path("rate").asText() + "/s" : "POST closed loop";
            rows.add(List.of(name + " (WriteClient, " + w.path("connections").asText() + " connections)",
                Numbers.fmt(Numbers.at(w, "per_second")), Numbers.fmt(Numbers.at(w, "p50_ms")),
                Numbers.fmt(Numbers.at(w, "p90_ms")), Numbers.fmt(Numbers.at(w, "p99_ms")),
                Numbers.fmt(Numbers.at(w, "max_ms"))));
            curves.put(name, curve(w, "", "", "_ms"));
        }
        curves.values().removeIf(List::isEmpty);
        if (!curves.isEmpty())
        {
            final String png = plot("rest-writes-cdf.png");
            Charts.cdf(figures.resolve(png), "Durable writes: POST /api/v1/services", "WriteClient.java on loopback: "
                + "p50, p90, p99, p99.9, max", "latency (ms)", curves, Set.of());
            md.figure(link(png), "REST write latency", "The percentiles WriteClient reports (p50, p90, p99, "
                + "p99.9, max), joined.", List.of(run));
        }
        md.table(List.of("requests", "per second", "p50 ms", "p90 ms", "p99 ms", "max ms"), rows);
        md.paragraph("On the wire: " + r.path("post_on_the_wire").asText() + ". Server side: "
            + r.path("post_server_side").asText() + ".");
        addSources(List.of(run));
    }

    // ---- JMH ----------------------------------------------------------------------------------------------------

    private void jmh()
    {
        final List<ResultLine> runs = select(r -> r.result().path("benchmarks").isArray()
            && r.harness().equals("benchmarks/run"));
        if (runs.isEmpty())
        {
            return;
        }
        md.heading(2, "JMH (`benchmarks/run`)");
        md.paragraph("Microbenchmarks of the dataplane and control-plane code (benchmarks/), from JMH's `-rf json` "
            + "results: for each benchmark and parameters the latest run's score, ± the 99.9 % confidence interval "
            + "JMH reports (an interval as large as the score means the machine's other load dominated).");
        // the latest score of each benchmark with its parameters, and the runs they come from
        final Map<String, List<String>> rows = new TreeMap<>();
        final Map<String, ResultLine> from = new TreeMap<>();
        for (final ResultLine run : runs)
        {
            for (final JsonNode b : run.result().path("benchmarks"))
            {
                final JsonNode metric = b.path("primaryMetric");
                final StringBuilder params = new StringBuilder();
                b.path("params").properties().forEach(p ->
                    params.append(params.isEmpty() ? "" : ", ").append(p.getKey()).append('=').append(p.getValue().asText()));
                final String name = b.path("benchmark").asText();
                final String key = name + " " + params + " " + b.path("mode").asText();
                rows.put(key, List.of(name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1),
                    params.isEmpty() ? "-" : params.toString(), b.path("mode").asText(),
                    Numbers.fmt(Numbers.at(metric, "score")) + " ± " + Numbers.fmt(Numbers.at(metric, "scoreError")),
                    metric.path("scoreUnit").asText(), b.path("threads").asText(), b.path("forks").asText(),
                    "line " + run.lineNumber()));
                from.put(key, run);
            }
        }
        md.table(List.of("benchmark", "params", "mode", "score", "unit", "threads", "forks", "run"),
            new ArrayList<>(rows.values()));
        final Map<Integer, ResultLine> sources = new TreeMap<>();
        from.values().forEach(r -> sources.put(r.lineNumber(), r));
        for (final ResultLine r : sources.values())
        {
            md.source(r);
            shown.add(r.lineNumber());
        }
    }

    // ---- anything else, all runs, unreadable lines ---------------------------------------------------------------

    private void others()
    {
        final List<ResultLine> rest = select(r -> !shown.contains(r.lineNumber()) && !known(r));
        if (rest.isEmpty())
        {
            return;
        }
        md.heading(2, "Other results");
        md.paragraph("Results of harnesses this report has no figure for, as recorded (latest of each kind).");
        for (final ResultLine r : latestByVariant(rest).values())
        {
            final String json = r.result().toString();
            md.paragraph("`" + (json.length() > 600 ? json.substring(0, 600) + " ..." : json).replace("`", "'") + "`");
            md.source(r);
        }
    }

    private static boolean known(final ResultLine r)
    {
        final String scenario = r.result().path("scenario").asText();
        return switch (r.harness())
        {
            case "perf-lab/run" -> scenario.equals("lb") || AF_XDP_SCENARIOS.contains(scenario);
            case "perf-lab/stats/run", "perf-lab/apply/run", "perf-lab/agents/run" -> true;
            case "perf-lab/xds/run" -> Set.of("xds-propagation", "ads-fanout").contains(r.result().path("bench").asText());
            case "perf-lab/rest/run" -> r.result().path("bench").asText().equals("rest");
            case "benchmarks/run" -> r.result().path("benchmarks").isArray();
            default -> false;
        };
    }

    private void history()
    {
        md.heading(2, "All runs in the results file");
        md.paragraph("Oldest first; the figures above come from the latest run of each kind. `ok`: the harness's own "
            + "verdict (a failed round or run).");
        final List<List<String>> rows = new ArrayList<>();
        for (final ResultLine r : results.lines())
        {
            final Fingerprint f = r.fingerprint();
            rows.add(List.of(Integer.toString(r.lineNumber()), f.span(), "`" + r.command().replace("`", "'") + "`",
                "`" + f.shortCommit() + "`", String.format(Locale.ROOT, "%.1f -> %.1f", f.loadBefore(), f.loadAfter()),
                r.ok() ? "yes" : "no"));
        }
        md.table(List.of("line", "UTC", "command", "commit", "load", "ok"), rows);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private List<ResultLine> select(final Predicate<ResultLine> which)
    {
        return results.lines().stream().filter(which).toList();
    }

    /** The last (newest) of {@code lines} that {@code which} accepts and that did not fail, or null. */
    private static ResultLine latest(final List<ResultLine> lines, final Predicate<ResultLine> which)
    {
        ResultLine latest = null;
        for (final ResultLine r : lines)
        {
            if (r.ok() && which.test(r))
            {
                latest = r;
            }
        }
        return latest;
    }

    /** The newest successful run of each variant, by variant name. */
    private static Map<String, ResultLine> latestByVariant(final List<ResultLine> lines)
    {
        final Map<String, ResultLine> latest = new TreeMap<>();
        for (final ResultLine r : lines)
        {
            if (r.ok())
            {
                latest.put(variant(r, Set.of()), r);
            }
        }
        return latest;
    }

    /**
     * What a run measured, as a name: the harness (without "perf-lab/" and "/run") and its arguments except those that
     * say how long it measured and those in {@code alsoDrop}, then its PERF_LAB_* options.
     */
    static String variant(final ResultLine r, final Set<String> alsoDrop)
    {
        String harness = r.harness();
        harness = harness.startsWith("perf-lab/") ? harness.substring("perf-lab/".length()) : harness;
        harness = harness.endsWith("/run") ? harness.substring(0, harness.length() - "/run".length()) : harness;
        final StringBuilder b = new StringBuilder(harness.equals("run") ? "" : harness);
        final List<String> args = r.args();
        for (int i = 0; i < args.size(); i++)
        {
            final String arg = args.get(i);
            if (LENGTH_OPTIONS.contains(arg) || alsoDrop.contains(arg))
            {
                i++;
                continue;
            }
            b.append(b.isEmpty() ? "" : " ").append(arg);
        }
        r.options().forEach((k, v) ->
        {
            if (!k.equals("PERF_LAB_JAR") && !k.equals("PERF_LAB_CLASS"))
            {
                b.append(" ").append(k).append("='").append(v).append("'");
            }
        });
        return b.toString();
    }

    private String plot(final String name)
    {
        final Path file = figures.resolve(name);
        if (!written.add(file))
        {
            throw new IllegalStateException("two plots named " + name);
        }
        return name;
    }

    private String link(final String png)
    {
        return figureLink.isEmpty() ? png : figureLink + "/" + png;
    }

    private void addSources(final List<ResultLine> sources)
    {
        sources.forEach(s -> shown.add(s.lineNumber()));
    }

    /** "line 12, 13:04 UTC" for a table cell. */
    private String ref(final ResultLine r)
    {
        shown.add(r.lineNumber());
        final String span = r.fingerprint().span();
        return "line " + r.lineNumber() + ", load " + String.format(Locale.ROOT, "%.1f", r.fingerprint().loadBefore())
            + ", " + (span.length() >= 16 ? span.substring(0, 16) : span);
    }

    /** A file-name part from a variant: "run lb --rate 200000" -> "lb-rate-200000". */
    static String slug(final String variant)
    {
        final String s = variant.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        return s.length() > 60 ? s.substring(0, 60) + "-" + Integer.toHexString(variant.hashCode()) : s;
    }
}
