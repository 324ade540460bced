package io.marchproxy.node;

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
 * The node is launched in two places, {@code bin/node} (flags from {@code bin/setup.sh}) and the container image
 * ({@code docker/Dockerfile}, which cannot be built here): both must give the JVM the same flags and main class;
 * {@code bin/agent} gives the agent the same flags.
 */
class NodeLaunchFlagsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void dockerEntrypointUsesTheFlagsOfBinSetup() throws IOException {
        String setup = Files.readString(ROOT.resolve("bin/setup.sh"));
        List<String> expected = new ArrayList<>(shellArray(setup, "MP_JVM_FLAGS"));
        expected.addAll(shellArray(setup, "MP_NODE_JVM_FLAGS"));
        expected.removeIf(flag -> flag.startsWith("${")); // MARCHPROXY_JVM_OPTS: the operator's additions

        String dockerfile = Files.readString(ROOT.resolve("docker/Dockerfile")).replace("\\\n", "");
        Matcher entry = Pattern.compile("^ENTRYPOINT \\[(.*)]$", Pattern.MULTILINE).matcher(dockerfile);
        assertTrue(entry.find(), "an exec-form ENTRYPOINT in docker/Dockerfile");
        List<String> args = new ArrayList<>();
        Matcher quoted = Pattern.compile("\"([^\"]*)\"").matcher(entry.group(1));
        while (quoted.find()) {
            args.add(quoted.group(1));
        }
        assertEquals("java", args.getFirst());
        assertEquals(List.of("-cp", "/opt/marchproxy/marchproxy.jar", NodeMain.class.getName()),
                args.subList(args.size() - 3, args.size()));
        assertEquals(expected, args.subList(1, args.size() - 3), "JVM flags of the image against bin/setup.sh");

        String node = Files.readString(ROOT.resolve("bin/node"));
        assertTrue(node.contains("\"${MP_JVM_FLAGS[@]}\" \"${MP_NODE_JVM_FLAGS[@]}\"")
                && node.contains(NodeMain.class.getName()), "bin/node launches NodeMain with both flag lists");
        String agent = Files.readString(ROOT.resolve("bin/agent"));
        assertTrue(agent.contains("\"${MP_JVM_FLAGS[@]}\" \"${MP_NODE_JVM_FLAGS[@]}\"")
                && agent.contains(io.marchproxy.node.agent.AgentMain.class.getName()),
                "bin/agent launches AgentMain with both flag lists");
    }

    /** The words of {@code NAME=( ... )} in a shell script (no quoting inside, as in bin/setup.sh). */
    private static List<String> shellArray(String script, String name) {
        Matcher m = Pattern.compile("^" + name + "=\\(([^)]*)\\)", Pattern.MULTILINE).matcher(script);
        assertTrue(m.find(), name + " in bin/setup.sh");
        List<String> words = new ArrayList<>();
        for (String w : m.group(1).trim().split("\\s+")) {
            words.add(w);
        }
        return words;
    }
}
