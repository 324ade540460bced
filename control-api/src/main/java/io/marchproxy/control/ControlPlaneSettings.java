package io.marchproxy.control;

import io.helidon.config.Config;
import io.marchproxy.control.auth.PasswordHasher;
import net.openhft.chronicle.bytes.SyncMode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Everything the control plane is configured with, read from the {@code marchproxy} section of Helidon Config
 * ({@code application.yaml}, overridable by environment variables such as {@code MARCHPROXY_STORE_DIR}).
 * Optional secrets that are absent are generated into the data directory on first start.
 *
 * @param masterKeyBase64 base64 of 32 bytes sealing certificate keys at rest, or empty to use/generate
 *                        {@code <dir>/master.key}
 * @param jwtSecretBase64 base64 of >= 32 bytes signing access tokens, or empty to use/generate {@code <dir>/jwt.key}
 * @param adminPassword   first admin's password, or empty to generate one and print it once
 */
public record ControlPlaneSettings(String host, int port, Path dataDir, int snapshotEvery, SyncMode syncMode,
                                   String masterKeyBase64, String jwtSecretBase64, Duration tokenTtl,
                                   int pbkdf2Iterations, String adminUsername, String adminPassword,
                                   String licencePublicKey, String licenceToken, Duration proxyStaleAfter) {

    public static ControlPlaneSettings fromConfig(Config root) {
        Config server = root.get("server");
        Config mp = root.get("marchproxy");
        return new ControlPlaneSettings(
                server.get("host").asString().orElse("127.0.0.1"),
                server.get("port").asInt().orElse(8080),
                Path.of(mp.get("store.dir").asString().orElse("./data")),
                mp.get("store.snapshots").asInt().orElse(1000),
                SyncMode.valueOf(mp.get("store.sync").asString().orElse("none").toUpperCase(Locale.ROOT)),
                text(mp.get("security.masterkey")),
                text(mp.get("security.jwtsecret")),
                Duration.ofSeconds(mp.get("security.tokenttl").asLong().orElse(900L)),
                mp.get("security.pbkdf2iterations").asInt().orElse(PasswordHasher.DEFAULT_ITERATIONS),
                mp.get("admin.username").asString().orElse("admin"),
                text(mp.get("admin.password")),
                text(mp.get("licence.publickey")),
                text(mp.get("licence.token")),
                Duration.ofSeconds(mp.get("proxies.staleafter").asLong().orElse(60L)));
    }

    private static String text(Config c) {
        return c.asString().map(String::trim).orElse("");
    }

    /**
     * These settings with the store in {@code dir}.
     *
     * @param dir the data directory
     * @return a copy with {@link #dataDir()} replaced
     */
    public ControlPlaneSettings withDataDir(Path dir) {
        return new ControlPlaneSettings(host, port, dir, snapshotEvery, syncMode, masterKeyBase64, jwtSecretBase64,
                tokenTtl, pbkdf2Iterations, adminUsername, adminPassword, licencePublicKey, licenceToken,
                proxyStaleAfter);
    }

    public Optional<String> licenceTokenOption() {
        return licenceToken.isEmpty() ? Optional.empty() : Optional.of(licenceToken);
    }
}
