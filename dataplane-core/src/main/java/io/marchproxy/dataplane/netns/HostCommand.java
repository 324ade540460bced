package io.marchproxy.dataplane.netns;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short host command (iproute2, nsenter) to completion with a time limit; a failure names the command. For
 * setup code (namespaces, labs), never for a packet path.
 */
public final class HostCommand
{
    private static final long TIMEOUT_SECONDS = 20;

    private HostCommand()
    {
    }

    /**
     * Runs {@code argv}, returns its output (stdout and stderr), throws with that output if it fails or hangs.
     *
     * @param argv the command and its arguments
     * @return its output
     * @throws IllegalStateException with the output when it fails or hangs
     */
    public static String run(final List<String> argv)
    {
        final File output;
        final Process process;
        try
        {
            output = File.createTempFile("marchproxy-cmd", ".out");
            // Output goes to a file, so a command that hangs cannot block us on a pipe past the time limit.
            process = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(output)).start();
        }
        catch (final IOException ex)
        {
            final String hint = argv.getFirst().equals("ip") ? " (install the Debian package iproute2)" :
                argv.getFirst().equals("nsenter") ? " (install the Debian package util-linux)" : "";
            throw new UncheckedIOException("cannot run " + argv.getFirst() + hint, ex);
        }
        try
        {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + ": timed out");
            }
            final String text = Files.readString(output.toPath(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0)
            {
                throw new IllegalStateException(
                    String.join(" ", argv) + ": exit " + process.exitValue() + ": " + text.strip());
            }
            return text;
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(String.join(" ", argv) + ": interrupted", ex);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        finally
        {
            output.delete();
        }
    }

    /**
     * As {@link #run(List)}.
     *
     * @param argv the command and its arguments
     * @return its output
     */
    public static String run(final String... argv)
    {
        return run(List.of(argv));
    }
}
