package io.marchproxy.control.model;

import java.time.Instant;

/** The installed licence token (there is at most one, id {@code current}); verified on every use. */
public record LicenceRecord(String id, String token, long revision, Instant createdAt, Instant updatedAt)
        implements Entity {
    public static final String CURRENT = "current";
}
