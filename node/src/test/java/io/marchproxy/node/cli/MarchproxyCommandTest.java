package io.marchproxy.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marchproxy.dataplane.proxy.ProxySettings;
import io.marchproxy.node.NodeOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line in this JVM: the version the build wrote, usage errors (exit 2, the problem named, nothing started),
 * the licence tools end to end, and the JSON log format. The launcher as a process is DistributionIT's.
 */
class MarchproxyCommandTest
{
    @TempDir
    Path dir;

    /** What one run printed and returned. */
    private record Run(int status, String out, String err)
    {
    }

    private static Run run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine line = MarchproxyCommand.commandLine();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        final int status = line.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void versionIsTheBuildsVersion()
    {
        final String expected = System.getProperty("marchproxy.version");
        assertTrue(expected != null && !expected.isBlank() && !expected.contains("${"), "surefire passes the version");
        final Run r = run("--version");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("marchproxy " + expected + "\nJava "), r.out());
        assertEquals(r.out(), run("node", "--version").out(), "subcommands answer the same");
    }

    @Test
    void usageErrorsExit2AndSayWhat()
    {
        final Run none = run();
        assertEquals(2, none.status());
        assertTrue(none.err().contains("which command?") && none.err().contains("Commands:"), none.err());

        assertUsageError(run("nodes"), "Unmatched argument at index 0: 'nodes'");
        assertUsageError(run("node", "--front", "eth0"), "--front and --back go together");
        assertUsageError(run("node", "--front", "eth0", "--back", "eth0"), "--front and --back must be two interfaces");
        assertUsageError(run("node", "--netns", "x"), "--netns needs --front and --back");
        assertUsageError(run("node", "--mode", "fast"), "unknown XDP mode 'fast': use skb or drv");
        assertUsageError(run("node", "--snat-ports", "80-90"), "--snat-ports must start at 1024 or above: 80-90");
        assertUsageError(run("node", "--snat-ports", "9"), "needs A-B with 0 <= A <= B <= 65535, not '9'");
        assertUsageError(run("lab", "--rate", "0"), "--rate must be 1..10000: 0");
        assertUsageError(run("node", "--log-format", "xml"), "--log-format");
        assertUsageError(run("node", "--offload-flows", "many"), "Invalid value for option '--offload-flows'");
        assertUsageError(run("lab", "--offload-flows", "" + (NodeOptions.MAX_OFFLOAD_FLOWS + 1)),
            "--offload-flows must be 0.." + NodeOptions.MAX_OFFLOAD_FLOWS);
        assertUsageError(run("agent", "--cluster-key", "x"), "--control URL is required");
        assertUsageError(run("stats", "--interval", "0"), "--interval must be 0.1..3600 seconds");
        assertUsageError(run("stats", "--url", "ftp://x"), "--url needs http://HOST:PORT");
        if (System.getenv("MARCHPROXY_TOKEN") == null)
        {
            assertUsageError(run("stats", "--proxies"), "--proxies needs a token");
        }
        assertUsageError(run("journal", "tail", "--since", "yesterday"), "not a time: 'yesterday'");
        assertUsageError(run("journal"), "Missing required subcommand");
    }

    private static void assertUsageError(final Run r, final String message)
    {
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains(message), r.err());
    }

    @Test
    void theSnatDefaultIsTheProxys()
    {
        assertEquals(ProxySettings.DEFAULT_SNAT_PORTS.toString(), SnatPorts.DEFAULT);
    }

    @Test
    void licenceKeygenSignVerify() throws IOException
    {
        final Path key = dir.resolve("vendor.key");
        final Run keygen = run("licence", "keygen", key.toString());
        assertEquals(0, keygen.status(), keygen.err());
        final String publicKey = keygen.out().strip();
        assertEquals(1, run("licence", "keygen", key.toString()).status(), "an existing key file is never replaced");

        final Run sign = run("licence", "sign", "--key", key.toString(), "--licensee", "Acme", "--tier", "enterprise",
            "--max-proxies", "25", "--expires", "2099-01-01T00:00:00Z", "--feature", "xds", "--feature", "sso");
        assertEquals(0, sign.status(), sign.err());
        final String token = sign.out().strip();

        final Run valid = run("licence", "verify", "--public-key", publicKey, token);
        assertEquals(0, valid.status(), valid.err());
        assertEquals("valid: licensee Acme, tier enterprise, up to 25 proxies, features [xds, sso], expires "
            + "2099-01-01T00:00:00Z", valid.out().strip());

        final Path file = dir.resolve("token");
        Files.writeString(file, token + "\n");
        assertEquals(0, run("licence", "verify", "--public-key", publicKey, "--token-file", file.toString()).status());

        final String tampered = token.substring(0, 10) + (token.charAt(10) == 'A' ? 'B' : 'A') + token.substring(11);
        final Run invalid = run("licence", "verify", "--public-key", publicKey, tampered);
        assertEquals(1, invalid.status());
        assertTrue(invalid.err().startsWith("invalid: licence"), invalid.err());

        final Run expired = run("licence", "sign", "--key", key.toString(), "--licensee", "Acme", "--tier", "t",
            "--max-proxies", "1", "--expires", "2020-01-01T00:00:00Z");
        assertEquals(0, expired.status());
        final Run late = run("licence", "verify", "--public-key", publicKey, expired.out().strip());
        assertEquals(1, late.status());
        assertEquals("invalid: licence expired at 2020-01-01T00:00:00Z", late.err().strip());

        assertUsageError(run("licence", "sign", "--key", key.toString(), "--licensee", "A", "--tier", "t",
            "--max-proxies", "1", "--expires", "tomorrow"), "--expires needs an ISO-8601 instant");
        assertUsageError(run("licence", "verify", "--public-key", "not-a-key", token),
            "licence public key is not a base64 Ed25519 X.509 key");
    }

    @Test
    void jsonLogRecordsAreOneLineOfJsonEach() throws IOException
    {
        final LogRecord record = new LogRecord(Level.WARNING, "a \"quoted\"\nline\twith {0}");
        record.setLoggerName("io.marchproxy.test");
        record.setParameters(new Object[] {"a parameter"});
        record.setThrown(new IllegalStateException("boom\u0001"));
        final String line = new JsonLogFormatter().format(record);
        assertTrue(line.endsWith("}\n") && line.indexOf('\n') == line.length() - 1, line);
        final JsonNode json = new ObjectMapper().readTree(line);
        assertEquals("WARNING", json.get("level").asText());
        assertEquals("io.marchproxy.test", json.get("logger").asText());
        assertEquals("a \"quoted\"\nline\twith a parameter", json.get("message").asText());
        assertEquals(record.getInstant().toString(), json.get("time").asText());
        assertTrue(json.get("error").asText().startsWith("java.lang.IllegalStateException: boom\u0001\n\tat "),
            json.get("error").asText());
    }
}
