package io.marchproxy.control.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Cluster API keys {@code mpk.<clusterId>.<256 random bits>}. Only the SHA-256 of a key is stored: the key has full
 * entropy, so a slow KDF would add latency to every proxy call and no security. The cluster id inside the key lets the
 * server find the one hash to compare, in constant time.
 */
public final class ClusterKeys {
    private static final String PREFIX = "mpk.";
    private final SecureRandom random = new SecureRandom();

    /** A new key for {@code clusterId}; show it once, store {@link #hash}. */
    public String generate(String clusterId) {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        return PREFIX + clusterId + '.' + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    public static String hash(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The cluster id a presented key claims to belong to, if it is shaped like a key. */
    public static Optional<String> clusterIdOf(String key) {
        if (key == null || !key.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int dot = key.lastIndexOf('.');
        return dot <= PREFIX.length() ? Optional.empty() : Optional.of(key.substring(PREFIX.length(), dot));
    }

    /** Constant-time comparison of a presented key with a stored hash. */
    public static boolean matches(String presentedKey, String storedHash) {
        if (presentedKey == null || storedHash == null) {
            return false;
        }
        return MessageDigest.isEqual(hash(presentedKey).getBytes(StandardCharsets.US_ASCII),
                storedHash.getBytes(StandardCharsets.US_ASCII));
    }
}
