package io.marchproxy.perflab.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Locale;

/**
 * Where and when a result was measured, as {@code perf-lab/lib/results.sh} records it: the git commit (and whether the
 * checkout had other changes), kernel, CPU, JDK, start and end time, and the load average at both ends.
 *
 * @param commit        full git commit id, or "unknown"
 * @param dirty         the checkout had uncommitted changes to tracked files
 * @param kernel        {@code uname -r}
 * @param cpuModel      the CPU's model name
 * @param cpus          online CPUs
 * @param jdk           JDK version and vendor, or "-" when the run used none
 * @param started       UTC start, ISO-8601
 * @param finished      UTC end, ISO-8601
 * @param loadBefore    1-minute load average at the start
 * @param loadAfter     1-minute load average at the end
 */
public record Fingerprint(String commit, boolean dirty, String kernel, String cpuModel, int cpus, String jdk,
    String started, String finished, double loadBefore, double loadAfter)
{
    /**
     * The fingerprint in {@code env}; throws {@link IllegalArgumentException} naming the first missing field.
     */
    static Fingerprint of(final JsonNode env)
    {
        if (env == null || !env.isObject())
        {
            throw new IllegalArgumentException("no \"env\" object (the fingerprint)");
        }
        final JsonNode jdk = env.path("jdk");
        return new Fingerprint(text(env, "commit"), env.path("dirty").asBoolean(false), text(env, "kernel"),
            text(env, "cpu_model"), env.path("cpus").asInt(0),
            jdk.isObject() ? (jdk.path("version").asText("") + " " + jdk.path("vendor").asText("")).trim() : "-",
            text(env, "started"), text(env, "finished"), env.path("loadavg_before").path(0).asDouble(Double.NaN),
            env.path("loadavg_after").path(0).asDouble(Double.NaN));
    }

    private static String text(final JsonNode env, final String field)
    {
        final JsonNode v = env.get(field);
        if (v == null || !v.isValueNode() || v.asText().isEmpty())
        {
            throw new IllegalArgumentException("fingerprint without \"" + field + "\"");
        }
        return v.asText();
    }

    /** The commit's first 10 hex digits, with "+changes" when the checkout was dirty. */
    public String shortCommit()
    {
        return commit.substring(0, Math.min(10, commit.length())) + (dirty ? "+changes" : "");
    }

    /** One line for the report: "commit abc, 2026-12-06 13:10-13:14 UTC, load 5.3 -> 6.1, kernel .., CPU .., JDK ..". */
    public String summary()
    {
        return String.format(Locale.ROOT, "commit `%s`, %s UTC, load %.1f -> %.1f, kernel %s, %s x%d, JDK %s",
            shortCommit(), span(), loadBefore, loadAfter, kernel, cpuModel, cpus, jdk);
    }

    /** "2026-12-06 13:10-13:14" (the end's date when it differs). */
    public String span()
    {
        final String start = started.replace('T', ' ').replace("Z", "");
        final String end = finished.replace('T', ' ').replace("Z", "");
        final String startMinute = start.length() >= 16 ? start.substring(0, 16) : start;
        if (end.length() >= 16 && end.regionMatches(0, start, 0, 10))
        {
            return startMinute + "-" + end.substring(11, 16);
        }
        return startMinute + " - " + (end.length() >= 16 ? end.substring(0, 16) : end);
    }
}
