package io.marchproxy.node.stats;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The proxies a control plane knows (remote agents and nodes), as {@code GET /api/v1/proxies} shows them: status and
 * health, the configuration version each serves, and the figures of its last heartbeat, with packet rates between its
 * last two heartbeats (agents heartbeat every 10 s by default, so rates move at that pace). Keeps the previous
 * heartbeat of each proxy between views: one instance per live view, for its thread.
 */
public final class ProxiesView
{
    /** A proxy's last heartbeat as seen, and the rates computed when it arrived. */
    private record Beat(Instant seen, long rx, long tx, String rxRate, String txRate)
    {
    }

    private final Map<String, Beat> last = new HashMap<>();

    /**
     * {@return the view of {@code page}, a {@code GET /api/v1/proxies} answer, at {@code now}}
     *
     * @param page the answer's JSON
     * @param now  the time of the view, for the heartbeats' ages
     */
    public String render(final JsonNode page, final Instant now)
    {
        final StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%d proxies%n", page.path("total").asInt(page.path("items").size())));
        out.append(String.format(Locale.ROOT, "    %-20s %-8s %-8s %8s %6s %10s %10s %12s %8s %10s %8s %8s%n", "proxy",
            "status", "health", "version", "seen", "rx pkt/s", "tx pkt/s", "tx packets", "open", "opened", "drops",
            "denied"));
        for (final JsonNode p : page.path("items"))
        {
            final JsonNode m = p.path("metrics");
            final Instant seen = p.hasNonNull("lastSeen") ? Instant.parse(p.get("lastSeen").asText()) : null;
            final long rx = m.path("rxPackets").asLong();
            final long tx = m.path("txPackets").asLong();
            final String id = p.path("id").asText();
            Beat beat = last.get(id);
            if (seen != null && (beat == null || !seen.equals(beat.seen())))
            {
                final double seconds = beat == null ? 0 : Duration.between(beat.seen(), seen).toNanos() / 1e9;
                beat = new Beat(seen, rx, tx, rate(beat == null ? -1 : beat.rx(), rx, seconds),
                    rate(beat == null ? -1 : beat.tx(), tx, seconds));
                last.put(id, beat);
            }
            out.append(String.format(Locale.ROOT, "    %-20s %-8s %-8s %7d%s %6s %10s %10s %12d %8d %10d %8d %8d%n",
                p.path("name").asText(), p.path("status").asText(), p.path("health").asText(),
                p.path("lastConfigVersion").asLong(), p.path("configCurrent").asBoolean() ? " " : "*",
                seen == null ? "-" : Math.max(0, Duration.between(seen, now).toSeconds()) + "s",
                beat == null ? "-" : beat.rxRate(), beat == null ? "-" : beat.txRate(), tx,
                m.path("activeConnections").asLong(), m.path("connectionsOpened").asLong(), m.path("drops").asLong(),
                m.path("accessDenied").asLong()));
            for (final JsonNode problem : p.path("problems"))
            {
                out.append("        problem: ").append(problem.asText()).append('\n');
            }
        }
        out.append("    (* a change is on its way to the proxy; rates between its last two heartbeats)\n");
        return out.toString();
    }

    private static String rate(final long before, final long now, final double seconds)
    {
        return before < 0 || seconds <= 0 ? "-"
            : String.format(Locale.ROOT, "%.1f", Math.max(0, now - before) / seconds);
    }
}
