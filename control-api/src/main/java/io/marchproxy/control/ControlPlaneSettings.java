package io.marchproxy.control;

import io.helidon.config.Config;
import io.marchproxy.control.auth.PasswordHasher;
import io.marchproxy.control.model.Nullable;
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
 * @param tls             TLS of the REST listener, or null for plain HTTP
 * @param maxConfigWaiters long polls ({@code GET /api/v1/config/{cluster}?after=}) held at once, at least 1
 */
public record ControlPlaneSettings(String host, int port, Path dataDir, int snapshotEvery, SyncMode syncMode,
                                   String masterKeyBase64, String jwtSecretBase64, Duration tokenTtl,
                                   int pbkdf2Iterations, String adminUsername, String adminPassword,
                                   String licencePublicKey, String licenceToken, Duration proxyStaleAfter,
                                   @Nullable RestTls tls, int maxConfigWaiters) {
    public static final int DEFAULT_MAX_CONFIG_WAITERS = 1024;

    public ControlPlaneSettings {
        if (maxConfigWaiters < 1) {
            throw new IllegalArgumentException("marchproxy.config.maxwaiters must be at least 1, not "
                    + maxConfigWaiters);
        }
    }

    /** Plain HTTP and the default bound on long polls. */
    public ControlPlaneSettings(String host, int port, Path dataDir, int snapshotEvery, SyncMode syncMode,
                                String masterKeyBase64, String jwtSecretBase64, Duration tokenTtl,
                                int pbkdf2Iterations, String adminUsername, String adminPassword,
                                String licencePublicKey, String licenceToken, Duration proxyStaleAfter) {
        this(host, port, dataDir, snapshotEvery, syncMode, masterKeyBase64, jwtSecretBase64, tokenTtl,
                pbkdf2Iterations, adminUsername, adminPassword, licencePublicKey, licenceToken, proxyStaleAfter,
                null, DEFAULT_MAX_CONFIG_WAITERS);
    }

    /** The same settings with TLS on the REST listener (null: plain HTTP). */
    public ControlPlaneSettings withTls(RestTls restTls) {
        return new ControlPlaneSettings(host, port, dataDir, snapshotEvery, syncMode, masterKeyBase64,
                jwtSecretBase64, tokenTtl, pbkdf2Iterations, adminUsername, adminPassword, licencePublicKey,
                licenceToken, proxyStaleAfter, restTls, maxConfigWaiters);
    }

    /** The same settings holding at most {@code waiters} long polls at once. */
    public ControlPlaneSettings withMaxConfigWaiters(int waiters) {
        return new ControlPlaneSettings(host, port, dataDir, snapshotEvery, syncMode, masterKeyBase64,
                jwtSecretBase64, tokenTtl, pbkdf2Iterations, adminUsername, adminPassword, licencePublicKey,
                licenceToken, proxyStaleAfter, tls, waiters);
    }

    /** The same settings on another port (0: any free one). */
    public ControlPlaneSettings withPort(int newPort) {
        return new ControlPlaneSettings(host, newPort, dataDir, snapshotEvery, syncMode, masterKeyBase64,
                jwtSecretBase64, tokenTtl, pbkdf2Iterations, adminUsername, adminPassword, licencePublicKey,
                licenceToken, proxyStaleAfter, tls, maxConfigWaiters);
    }

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
                Duration.ofSeconds(mp.get("proxies.staleafter").asLong().orElse(60L)),
                tls(server.get("tls")),
                mp.get("config.maxwaiters").asInt().orElse(DEFAULT_MAX_CONFIG_WAITERS));
    }

    private static RestTls tls(Config t) {
        String cert = text(t.get("cert"));
        String key = text(t.get("key"));
        if (cert.isEmpty() != key.isEmpty()) {
            throw new IllegalArgumentException("server.tls: set both cert and key (PEM files), or neither");
        }
        return cert.isEmpty() ? null : new RestTls(Path.of(cert), Path.of(key));
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
