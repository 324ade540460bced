package io.marchproxy.node.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * Formats a log record as one line of JSON: {@code {"time":"2026-11-30T10:15:30.123Z","level":"INFO",
 * "logger":"io.helidon.webserver.LoggingFeature","thread":1,"message":"...","error":"java.io.IOException: ...\n\tat
 * ..."}}; {@code error} (the stack trace) only when the record carries a throwable. Strings are escaped as RFC 8259
 * requires, so any message, including line breaks and control characters, stays one line.
 */
public final class JsonLogFormatter extends Formatter
{
    /** A formatter; stateless and thread-safe. */
    public JsonLogFormatter()
    {
    }

    @Override
    public String format(final LogRecord record)
    {
        final StringBuilder b = new StringBuilder(256);
        b.append("{\"time\":");
        string(b, record.getInstant().toString());
        b.append(",\"level\":");
        string(b, record.getLevel().getName());
        b.append(",\"logger\":");
        string(b, record.getLoggerName() == null ? "" : record.getLoggerName());
        b.append(",\"thread\":").append(record.getLongThreadID());
        b.append(",\"message\":");
        string(b, formatMessage(record));
        if (record.getThrown() != null)
        {
            final StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            b.append(",\"error\":");
            string(b, trace.toString());
        }
        return b.append("}\n").toString();
    }

    private static void string(final StringBuilder b, final String s)
    {
        b.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        b.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
