package io.marchproxy.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.logging.Logger;

/**
 * Key material that may come from configuration or, when absent, from a file in the data directory created on first
 * start with owner-only permissions. The key itself is never logged, only where it came from.
 */
final class SecretFiles {
    private static final Logger LOG = Logger.getLogger(SecretFiles.class.getName());

    private SecretFiles() {
    }

    static byte[] load(String configuredBase64, Path file, int generateBytes, String what) throws IOException {
        if (!configuredBase64.isEmpty()) {
            try {
                return Base64.getDecoder().decode(configuredBase64);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(what + " is not valid base64", e);
            }
        }
        if (Files.exists(file)) {
            return Base64.getDecoder().decode(Files.readString(file).trim());
        }
        byte[] key = new byte[generateBytes];
        new SecureRandom().nextBytes(key);
        Files.createDirectories(file.getParent());
        Files.writeString(file, Base64.getEncoder().encodeToString(key), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            LOG.warning("cannot restrict permissions of " + file);
        }
        LOG.warning(what + " not configured: generated one in " + file + "; back it up, data sealed with it is "
                + "unreadable without it");
        return key;
    }
}
