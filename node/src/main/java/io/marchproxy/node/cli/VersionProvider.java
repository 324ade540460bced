package io.marchproxy.node.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** {@code marchproxy --version}: the version the build wrote into {@code version.properties}, and the Java runtime. */
final class VersionProvider implements CommandLine.IVersionProvider
{
    /** {@return the project version this jar was built as} */
    static String version()
    {
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties"))
        {
            if (in == null)
            {
                throw new IllegalStateException("version.properties is missing from the node jar");
            }
            final Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public String[] getVersion()
    {
        return new String[] {"marchproxy " + version(), "Java " + Runtime.version() + " (" +
            System.getProperty("java.vendor") + ", " + System.getProperty("java.home") + ")"};
    }
}
