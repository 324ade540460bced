package io.marchproxy.dist;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every launcher takes its JVM options from the one argument file, {@code conf/jvm.args}: the distribution's
 * {@code bin/marchproxy}, which {@code bin/node}, {@code bin/agent}, {@code bin/journal}, {@code bin/marchproxy} and the container image run; the build's test
 * JVMs; and the jar manifests' {@code Add-Exports}/{@code Add-Opens} (for {@code java -jar}) list the same packages.
 * The image cannot be built here (no Docker engine), so its Dockerfile is read instead.
 */
class LaunchFilesTest
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path ARGS = ROOT.resolve("dist/src/main/dist/conf/jvm.args");

    @Test
    void theLauncherRunsTheCommandWithTheArgumentFile() throws IOException
    {
        final String launcher = Files.readString(ROOT.resolve("dist/src/main/dist/bin/marchproxy"));
        assertTrue(launcher.contains("exec \"$java_home/bin/java\" \"@$home/conf/jvm.args\" \"${short[@]}\" ${MARCHPROXY_JVM_OPTS:-} "
            + "-cp \"$home/lib/*\" \\\n  io.marchproxy.node.cli.MarchproxyCommand \"$@\""), launcher);
    }

    @Test
    void binNodeAndBinMarchproxyRunTheDistribution() throws IOException
    {
        final String common = Files.readString(ROOT.resolve("bin/common.sh"));
        assertTrue(common.contains("MP_DIST=\"$MP_ROOT/dist/target/marchproxy\""), common);
        assertTrue(common.contains("MP_JVM_ARGS=\"$MP_ROOT/dist/src/main/dist/conf/jvm.args\""), common);
        final String node = Files.readString(ROOT.resolve("bin/node"));
        assertTrue(node.strip().endsWith("exec \"$MP_DIST/bin/marchproxy\" node \"$@\""), node);
        final String agent = Files.readString(ROOT.resolve("bin/agent"));
        assertTrue(agent.strip().endsWith("exec \"$MP_DIST/bin/marchproxy\" agent \"$@\""), agent);
        final String journal = Files.readString(ROOT.resolve("bin/journal"));
        assertTrue(journal.strip().endsWith("exec \"$MP_ROOT/bin/marchproxy\" journal \"$@\""), journal);
        final String marchproxy = Files.readString(ROOT.resolve("bin/marchproxy"));
        assertTrue(marchproxy.strip().endsWith("exec \"$MP_DIST/bin/marchproxy\" \"$@\""), marchproxy);
        final String setup = Files.readString(ROOT.resolve("bin/setup.sh"));
        assertTrue(setup.contains("MP_JVM_FLAGS=(\"@$MP_JVM_ARGS\")"), "scripts starting JVMs of their own use it");
    }

    @Test
    void theImageRunsTheUnpackedDistribution() throws IOException
    {
        final String dockerfile = Files.readString(ROOT.resolve("docker/Dockerfile")).replace("\\\n", "");
        assertTrue(dockerfile.contains("ADD dist/target/marchproxy-*.tar.gz /opt/"), dockerfile);
        final Matcher entry = Pattern.compile("^ENTRYPOINT \\[(.*)]$", Pattern.MULTILINE).matcher(dockerfile);
        assertTrue(entry.find(), "an exec-form ENTRYPOINT in docker/Dockerfile");
        assertEquals("\"/opt/marchproxy/bin/marchproxy\", \"node\"", entry.group(1).strip());
    }

    @Test
    void testJvmsAndManifestsUseTheArgumentFile() throws IOException
    {
        final String pom = Files.readString(ROOT.resolve("pom.xml"));
        assertTrue(pom.contains("<marchproxy.jvm.args>${project.basedir}/../dist/src/main/dist/conf/jvm.args"
            + "</marchproxy.jvm.args>") && pom.contains("<marchproxy.jvm.flags>@${marchproxy.jvm.args}"
            + "</marchproxy.jvm.flags>") && pom.contains("<argLine>${marchproxy.jvm.flags}</argLine>"), "surefire and "
            + "failsafe fork their JVMs with @jvm.args");
        final List<String> options = options();
        assertEquals(packages(options, "--add-exports="), property(pom, "marchproxy.manifest.add-exports"),
            "manifest Add-Exports against conf/jvm.args");
        assertEquals(packages(options, "--add-opens="), property(pom, "marchproxy.manifest.add-opens"),
            "manifest Add-Opens against conf/jvm.args");
        assertTrue(options.contains("--enable-native-access=ALL-UNNAMED"), options.toString());
    }

    /** The options of the argument file: its words, comments left out. */
    private static List<String> options() throws IOException
    {
        final List<String> words = new ArrayList<>();
        for (final String line : Files.readAllLines(ARGS))
        {
            final String text = line.replaceAll("#.*", "").strip();
            if (!text.isEmpty())
            {
                words.addAll(List.of(text.split("\\s+")));
            }
        }
        return words;
    }

    /** {@code java.base/jdk.internal.misc ...} of every {@code --add-...=java.base/pkg=ALL-UNNAMED}, sorted. */
    private static List<String> packages(final List<String> options, final String prefix)
    {
        return options.stream().filter(o -> o.startsWith(prefix))
            .map(o -> o.substring(prefix.length(), o.lastIndexOf('='))).sorted().toList();
    }

    private static List<String> property(final String pom, final String name)
    {
        final Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]*)</").matcher(pom);
        assertTrue(m.find(), name + " in pom.xml");
        return List.of(m.group(1).strip().split("\\s+")).stream().sorted().toList();
    }
}
