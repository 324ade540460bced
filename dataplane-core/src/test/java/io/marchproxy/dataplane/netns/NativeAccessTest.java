package io.marchproxy.dataplane.netns;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM started without {@code --enable-native-access} fails at the library's first call with the fix in the message,
 * both where the JDK only warns (its default today) and where it denies; with the option the same call works.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NativeAccessTest
{
    private static final String FIX = "native access is not enabled for the class path: MarchProxy calls libc, " +
        "libbpf and the kernel through FFM. Run java with --enable-native-access=ALL-UNNAMED (or put " +
        "'Enable-Native-Access: ALL-UNNAMED' in the manifest of an executable jar)";

    @Test
    void aLibraryCallWithoutNativeAccessFailsWithTheFix() throws Exception
    {
        for (final String mode : List.of("warn", "deny"))
        {
            final Result r = probe("library", "--illegal-native-access=" + mode);
            assertEquals(3, r.exit(), r.output());
            assertTrue(r.output().startsWith("java.lang.IllegalStateException: " + FIX), r.output());
            assertTrue(!r.output().contains("WARNING: A restricted method"), "failed before any restricted call: "
                + r.output());
        }
    }

    @Test
    void aRawBindingCallWithoutNativeAccessNamesTheFixInItsCause() throws Exception
    {
        final Result r = probe("binding", "--illegal-native-access=deny");
        assertEquals(3, r.exit(), r.output());
        assertTrue(r.output().contains("java.lang.ExceptionInInitializerError")
            && r.output().contains("java.lang.IllegalStateException: " + FIX), r.output());
    }

    @Test
    void withNativeAccessTheSameCallsWork() throws Exception
    {
        for (final String kind : List.of("library", "binding"))
        {
            final Result r = probe(kind, "--enable-native-access=ALL-UNNAMED");
            assertEquals(0, r.exit(), r.output());
            assertEquals("index 1", r.output().strip());
        }
    }

    private record Result(int exit, String output)
    {
    }

    private static Result probe(final String kind, final String option) throws IOException, InterruptedException
    {
        final List<String> cmd = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), option,
            "-cp", System.getProperty("java.class.path"), NativeAccessProbe.class.getName(), kind));
        final Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final String out = new String(child.getInputStream().readAllBytes());
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "probe finished");
        return new Result(child.exitValue(), out);
    }
}
