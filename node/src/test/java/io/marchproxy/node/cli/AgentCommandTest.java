package io.marchproxy.node.cli;

import io.marchproxy.dataplane.bpf.XdpMode;
import io.marchproxy.node.agent.AgentOptions;
import io.marchproxy.node.agent.ClusterKeySource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code marchproxy agent}'s command line: the key from the option, the environment or a file read again each time,
 * the cluster from the key, the node's dataplane options as they are, errors that say what to give (never echoing a
 * key), and help without anything started.
 */
class AgentCommandTest
{
    private static final String KEY = "mpk.6f1c2d1e-0000-4000-8000-000000000001.c2VjcmV0LXNlY3JldC1zZWNyZXQ";

    /** What {@code marchproxy agent ARGS} would run with, parsed and checked but not run. */
    private static AgentOptions parse(final Map<String, String> env, final String... args)
    {
        final String[] line = new String[args.length + 1];
        line[0] = "agent";
        System.arraycopy(args, 0, line, 1, args.length);
        final CommandLine.ParseResult parsed = MarchproxyCommand.commandLine().parseArgs(line);
        final AgentCommand agent = parsed.subcommand().commandSpec().commandLine().getCommand();
        return agent.options(env);
    }

    private static String error(final Map<String, String> env, final String... args)
    {
        return assertThrows(ParameterException.class, () -> parse(env, args)).getMessage();
    }

    @Test
    void takesTheKeyFromTheOptionTheEnvironmentOrAFileReadAgain() throws IOException
    {
        final AgentOptions given = parse(Map.of(), "--control", "https://cp.example:8443", "--cluster-key", KEY,
            "--front", "eth1", "--back", "eth2", "--netns", "edge", "--mode", "skb", "--heartbeat", "5");
        assertEquals(KEY, given.key().key());
        assertEquals("6f1c2d1e-0000-4000-8000-000000000001", given.key().clusterId());
        assertEquals("eth1", given.dataplane().front());
        assertEquals("edge", given.dataplane().netns());
        assertEquals(XdpMode.SKB, given.dataplane().mode());
        assertEquals(Duration.ofSeconds(5), given.heartbeat());
        assertFalse(given.lab());
        assertFalse(given.key().toString().contains("c2VjcmV0"), "the source is named, the key never");

        final AgentOptions fromEnvironment = parse(Map.of(ClusterKeySource.ENVIRONMENT, KEY), "--control",
            "http://127.0.0.1:8080");
        assertEquals(KEY, fromEnvironment.key().key());
        assertEquals(Duration.ofSeconds(AgentOptions.DEFAULT_HEARTBEAT_SECONDS), fromEnvironment.heartbeat());

        final Path file = Files.createTempFile("agent", ".key");
        try
        {
            Files.writeString(file, KEY + "\n");
            final AgentOptions fromFile = parse(Map.of(), "--control", "http://127.0.0.1:8080", "--cluster-key-file",
                file.toString());
            assertTrue(fromFile.lab(), "no interfaces: a lab");
            assertTrue(fromFile.key().rereads());
            final String rotated = KEY.replace("c2VjcmV0", "bmV3LWtleQ");
            Files.writeString(file, rotated + "\n");
            assertEquals(rotated, fromFile.key().key(), "read again");
        }
        finally
        {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void errorsSayWhatToGiveAndNeverEchoAKey()
    {
        assertTrue(error(Map.of(), "--cluster-key", KEY).contains("--control URL is required"));
        assertTrue(error(Map.of(), "--control", "http://127.0.0.1:8080").contains("a cluster key is required"));
        final String notAKey = error(Map.of(), "--control", "http://127.0.0.1:8080", "--cluster-key",
            "secret-without-form");
        assertFalse(notAKey.contains("secret-without-form"), notAKey);
        assertTrue(notAKey.contains("mpk.<cluster id>.<secret>"), notAKey);
        assertTrue(error(Map.of(), "--control", "ftp://x", "--cluster-key", KEY).contains("http://HOST:PORT"));
        assertTrue(error(Map.of(), "--control", "http://127.0.0.1:8080", "--cluster-key", KEY, "--cluster", "edge")
            .contains("cluster of its key"));
        assertTrue(error(Map.of(), "--control", "http://127.0.0.1:8080", "--cluster-key", KEY, "--front", "eth1")
            .contains("--front and --back go together"));
        assertTrue(error(Map.of(), "--control", "http://127.0.0.1:8080", "--cluster-key", KEY, "--heartbeat", "0")
            .contains("--heartbeat"));
        assertTrue(error(Map.of(), "--control", "http://127.0.0.1:8080", "--cluster-key", KEY, "--cluster-key-file",
            "/nonexistent").contains("give one"));
    }

    @Test
    void helpListsTheOptionsAndStartsNothing()
    {
        final StringWriter out = new StringWriter();
        final CommandLine line = MarchproxyCommand.commandLine();
        line.setOut(new PrintWriter(out, true));
        assertEquals(0, line.execute("agent", "--help"));
        for (final String option : new String[] {"--control", "--cluster-key-file", "--cluster-key", "--ca", "--name",
            "--address", "--heartbeat", "--front", "--back", "--netns", "--snat-ports", "--mode", "--seconds",
            "--rate", "--log-format"})
        {
            assertTrue(out.toString().contains(option), option + " in\n" + out);
        }
        assertFalse(out.toString().contains("--cluster "), "no --cluster: the key's cluster");
    }
}
