package io.marchproxy.perflab.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * One line of the results file: what ran ({@code harness} and its {@code args}), the {@code PERF_LAB_*} options in its
 * environment, where and when ({@code fingerprint}) and what it printed ({@code result}, the harness's JSON line).
 *
 * @param lineNumber  1-based line in the results file
 * @param harness     e.g. "perf-lab/run", "perf-lab/apply/run", "benchmarks/run"
 * @param args        the harness's command-line arguments
 * @param options     PERF_LAB_* environment variables of the run
 * @param fingerprint the environment of the run
 * @param result      the harness's JSON result (an object)
 */
public record ResultLine(int lineNumber, String harness, List<String> args, Map<String, String> options,
    Fingerprint fingerprint, JsonNode result)
{
    /** The command as typed, options from the environment first: "PERF_LAB_LB_OPTS='..' perf-lab/run lb --seconds 3". */
    public String command()
    {
        final StringBuilder b = new StringBuilder();
        options.forEach((k, v) -> b.append(k).append("='").append(v).append("' "));
        b.append(harness);
        for (final String arg : args)
        {
            b.append(' ').append(arg.isEmpty() || arg.matches(".*[\\s'\"$].*") ? "'" + arg + "'" : arg);
        }
        return b.toString();
    }

    /** {@code true} unless the result says {@code "ok": false}. */
    public boolean ok()
    {
        return result.path("ok").asBoolean(true);
    }
}
