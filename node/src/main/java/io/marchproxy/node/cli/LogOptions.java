package io.marchproxy.node.cli;

import io.helidon.logging.common.LogConfig;
import picocli.CommandLine.Option;

import java.util.logging.Handler;
import java.util.logging.Logger;

/**
 * The logging option of the commands that run a server ({@code node}, {@code control-plane}, {@code lab}). Everything
 * logs through java.util.logging: Helidon and grpc-java do, our code does ({@code System.Logger}), and Chronicle's
 * SLF4J calls arrive there through the one SLF4J provider, slf4j-jdk14. {@link #configure()} applies Helidon's
 * {@code logging.properties} and, for {@code json}, puts {@link JsonLogFormatter} on the root handlers.
 */
final class LogOptions
{
    /** How log records are written. */
    enum Format
    {
        /** One line of text each, as {@code logging.properties} formats it. */
        TEXT,
        /** One JSON object a line ({@link JsonLogFormatter}), for log shippers. */
        JSON
    }

    @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "${env:MARCHPROXY_LOG_FORMAT:-text}",
        description = "log records as text or as one JSON object a line (default: ${DEFAULT-VALUE}; "
            + "environment: MARCHPROXY_LOG_FORMAT)")
    Format format = Format.TEXT;

    /** Configures java.util.logging for this process; the command's first step, before anything logs. */
    void configure()
    {
        LogConfig.configureRuntime();
        if (format == Format.JSON)
        {
            for (final Handler handler : Logger.getLogger("").getHandlers())
            {
                handler.setFormatter(new JsonLogFormatter());
            }
        }
    }
}
