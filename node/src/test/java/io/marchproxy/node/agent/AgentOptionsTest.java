package io.marchproxy.node.agent;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's command line: the key from the option, the environment or a file read again each time, the cluster
 * from the key, the node's dataplane options as they are, and errors that say what to give (never echoing a key).
 */
class AgentOptionsTest
{
    private static final String KEY = "mpk.6f1c2d1e-0000-4000-8000-000000000001.c2VjcmV0LXNlY3JldC1zZWNyZXQ";

    private static AgentOptions parse(final Map<String, String> env, final String... args)
    {
        return AgentOptions.parse(args, env);
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
        assertEquals(Duration.ofSeconds(5), given.heartbeat());
        assertFalse(given.lab());
        assertFalse(given.key().toString().contains("c2VjcmV0"), "the source is named, the key never");

        assertEquals(KEY, parse(Map.of(ClusterKeySource.ENVIRONMENT, KEY), "--control", "http://127.0.0.1:8080")
            .key().key());

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
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--cluster-key", KEY))
            .getMessage().contains("--control URL is required"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--control",
            "http://127.0.0.1:8080")).getMessage().contains("a cluster key is required"));
        final IllegalArgumentException notAKey = assertThrows(IllegalArgumentException.class, () -> parse(Map.of(),
            "--control", "http://127.0.0.1:8080", "--cluster-key", "secret-without-form"));
        assertFalse(notAKey.getMessage().contains("secret-without-form"), notAKey.getMessage());
        assertTrue(notAKey.getMessage().contains("mpk.<cluster id>.<secret>"), notAKey.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--control", "ftp://x",
            "--cluster-key", KEY)).getMessage().contains("http://HOST:PORT"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--control",
            "http://127.0.0.1:8080", "--cluster-key", KEY, "--cluster", "edge")).getMessage()
            .contains("cluster of its key"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--control",
            "http://127.0.0.1:8080", "--cluster-key", KEY, "--front", "eth1")).getMessage()
            .contains("--front and --back go together"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--control",
            "http://127.0.0.1:8080", "--cluster-key", KEY, "--heartbeat", "0")).getMessage()
            .contains("--heartbeat"));
        assertTrue(parse(Map.of(), "--help").help(), "--help answers before anything is checked");
        assertNull(parse(Map.of(), "--help").key());
    }
}
