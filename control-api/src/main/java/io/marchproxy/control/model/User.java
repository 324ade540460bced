package io.marchproxy.control.model;

import java.time.Instant;

/**
 * An operator account; {@code passwordHash} is a PBKDF2 hash string and is never returned by the API. Access tokens
 * issued before {@code credentialsChangedAt} (the last password change) are no longer accepted.
 */
public record User(String id, String username, Role role, boolean active, String passwordHash,
                   @Nullable Instant credentialsChangedAt, long revision, Instant createdAt, Instant updatedAt)
        implements Entity {
}
