package io.marchproxy.control.rest;

import java.time.Instant;
import java.util.UUID;

/** The server-owned fields of an entity being written: id, next revision, creation and update times. */
public record Meta(String id, long revision, Instant createdAt, Instant updatedAt) {
    public static Meta create(Instant now) {
        return new Meta(UUID.randomUUID().toString(), 1, now, now);
    }

    public static Meta update(String id, long currentRevision, Instant createdAt, Instant now) {
        return new Meta(id, currentRevision + 1, createdAt, now);
    }
}
