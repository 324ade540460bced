package io.marchproxy.control.model;

import java.time.Instant;

/** A stored object: identified by a server-assigned id and versioned by a revision that grows by one per update. */
public interface Entity {
    String id();

    /** Revision of this entity, starting at 1; the REST layer exposes it as the ETag. */
    long revision();

    Instant createdAt();

    Instant updatedAt();
}
