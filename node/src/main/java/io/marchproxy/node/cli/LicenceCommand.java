package io.marchproxy.node.cli;

import io.marchproxy.control.licence.Licence;
import io.marchproxy.control.licence.LicenceException;
import io.marchproxy.control.licence.LicenceSigner;
import io.marchproxy.control.licence.LicenceVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code marchproxy licence keygen|sign|verify}: the licence vendor's tools and the operator's check. A licence is a
 * signed token ({@link LicenceVerifier} says what is in it); the vendor keeps the private key, control planes are
 * configured with the public key ({@code marchproxy.licence.publickey}) and the token ({@code PUT /api/v1/licence} or
 * {@code marchproxy.licence.token}).
 */
@Command(name = "licence", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    synopsisSubcommandLabel = "(keygen | sign | verify)",
    description = {"Enterprise licences: make a vendor key, sign a licence, check a token.", ""})
final class LicenceCommand
{
    @Spec
    CommandSpec spec;

    /**
     * {@code keygen KEY_FILE}.
     *
     * @param keyFile where the private key goes
     * @return the exit status
     * @throws IOException when the file exists or cannot be written
     */
    @Command(name = "keygen", mixinStandardHelpOptions = true,
        description = {"Writes a new Ed25519 vendor private key to KEY_FILE (readable by its owner only; the file must "
            + "not exist) and prints the public key, the value of marchproxy.licence.publickey.", ""})
    int keygen(@Parameters(paramLabel = "KEY_FILE", description = "the private key file to create") final Path keyFile)
        throws IOException
    {
        spec.commandLine().getOut().println(LicenceSigner.generateKey(keyFile));
        return 0;
    }

    /**
     * {@code sign --key KEY_FILE ...}.
     *
     * @param keyFile    the vendor's private key file
     * @param licensee   who the licence is for
     * @param tier       the licence's tier
     * @param maxProxies how many proxies it allows
     * @param expires    when it expires, ISO-8601
     * @param features   the features it enables
     * @return the exit status
     * @throws IOException when the key file cannot be read
     */
    @Command(name = "sign", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Signs a licence with the vendor key and prints the token (PUT /api/v1/licence, or "
            + "marchproxy.licence.token).", ""})
    int sign(
        @Option(names = "--key", paramLabel = "KEY_FILE", required = true,
            description = "the vendor's private key (marchproxy licence keygen)") final Path keyFile,
        @Option(names = "--licensee", paramLabel = "NAME", required = true) final String licensee,
        @Option(names = "--tier", paramLabel = "TIER", required = true, description = "e.g. enterprise")
        final String tier,
        @Option(names = "--max-proxies", paramLabel = "N", required = true) final int maxProxies,
        @Option(names = "--expires", paramLabel = "INSTANT", required = true,
            description = "ISO-8601, e.g. 2027-12-31T00:00:00Z") final String expires,
        @Option(names = "--feature", paramLabel = "NAME", description = "a feature it enables (repeatable), e.g. xds")
        final List<String> features) throws IOException
    {
        if (maxProxies < 1)
        {
            throw new ParameterException(spec.commandLine(), "--max-proxies must be 1 or more: " + maxProxies);
        }
        final Instant expiresAt;
        try
        {
            expiresAt = Instant.parse(expires);
        }
        catch (final DateTimeParseException ex)
        {
            throw new ParameterException(spec.commandLine(), "--expires needs an ISO-8601 instant such as "
                + "2027-12-31T00:00:00Z, not '" + expires + "'");
        }
        final Licence licence = new Licence(licensee, tier, maxProxies,
            features == null ? List.of() : new ArrayList<>(features), expiresAt);
        spec.commandLine().getOut().println(LicenceSigner.fromKeyFile(keyFile).sign(licence));
        return 0;
    }

    /**
     * {@code verify [TOKEN]}.
     *
     * @param publicKey the vendor's public key, base64
     * @param token     the licence token, or null to read {@code tokenFile}
     * @param tokenFile a file holding the token
     * @return 0 when the token verifies, 1 when it does not
     * @throws IOException when the token file cannot be read
     */
    @Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Checks a licence token against the vendor's public key, as a control plane does, and prints "
            + "what it allows; exits 1 when it does not verify (bad signature, expired, malformed).", ""})
    int verify(
        @Option(names = "--public-key", paramLabel = "BASE64",
            defaultValue = "${env:MARCHPROXY_LICENCE_PUBLICKEY}",
            description = "the vendor's public key (default: MARCHPROXY_LICENCE_PUBLICKEY)") final String publicKey,
        @Parameters(paramLabel = "TOKEN", arity = "0..1", defaultValue = "${env:MARCHPROXY_LICENCE_TOKEN}",
            description = "the token (default: MARCHPROXY_LICENCE_TOKEN)") final String token,
        @Option(names = "--token-file", paramLabel = "FILE", description = "read the token from FILE")
        final Path tokenFile) throws IOException
    {
        if (publicKey == null || publicKey.isBlank())
        {
            throw new ParameterException(spec.commandLine(), "no public key: give --public-key or set "
                + "MARCHPROXY_LICENCE_PUBLICKEY");
        }
        final String text = tokenFile != null ? Files.readString(tokenFile).trim() : token;
        if (text == null || text.isBlank())
        {
            throw new ParameterException(spec.commandLine(), "no token: give TOKEN, --token-file or set "
                + "MARCHPROXY_LICENCE_TOKEN");
        }
        final LicenceVerifier verifier;
        try
        {
            verifier = new LicenceVerifier(LicenceVerifier.parsePublicKey(publicKey), Clock.systemUTC());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
        try
        {
            final Licence l = verifier.verify(text);
            spec.commandLine().getOut().printf("valid: licensee %s, tier %s, up to %d proxies, features %s, "
                + "expires %s%n", l.licensee(), l.tier(), l.maxProxies(), l.features(), l.expiresAt());
            return 0;
        }
        catch (final LicenceException ex)
        {
            spec.commandLine().getErr().println("invalid: " + ex.getMessage());
            return 1;
        }
    }
}
