package io.marchproxy.node;

import io.helidon.config.Config;
import io.marchproxy.journal.FlowJournal;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The node's flow journal settings, {@code marchproxy.journal.*} in {@code application.yaml} (or the environment:
 * {@code MARCHPROXY_JOURNAL_ENABLED=false}, ...): {@code enabled} (default true), {@code dir} (default: {@code flows}
 * in the store's directory), {@code retentiondays} (7), {@code ringbytes} (1 MiB per dataplane thread, a power of
 * two), {@code dropsamplems} (at most one drop sample per reason per this many milliseconds, 1000).
 */
public final class JournalSettings
{
    private JournalSettings()
    {
    }

    /**
     * {@return the journal's settings, or null when it is disabled}
     *
     * @param config   the node's configuration
     * @param storeDir the control plane store's directory, where the journal goes by default
     */
    public static FlowJournal.Settings fromConfig(final Config config, final Path storeDir)
    {
        final Config j = config.get("marchproxy.journal");
        if (!j.get("enabled").asBoolean().orElse(true))
        {
            return null;
        }
        final String dir = j.get("dir").asString().orElse("");
        return new FlowJournal.Settings(dir.isBlank() ? storeDir.resolve("flows") : Path.of(dir),
            j.get("retentiondays").asInt().orElse(FlowJournal.Settings.DEFAULT_RETENTION_DAYS),
            j.get("ringbytes").asInt().orElse(FlowJournal.Settings.DEFAULT_RING_BYTES),
            Duration.ofMillis(j.get("dropsamplems").asLong()
                .orElse(FlowJournal.Settings.DEFAULT_DROP_SAMPLE_INTERVAL.toMillis())));
    }
}
