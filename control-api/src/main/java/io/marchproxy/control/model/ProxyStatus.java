package io.marchproxy.control.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** Lifecycle of a proxy node: registered but not yet heard from, heartbeating, or silent for too long. */
public enum ProxyStatus {
    PENDING, ACTIVE, STALE;

    /**
     * The status at {@code now} of a proxy last seen at {@code lastSeen} (its last heartbeat, or its registration if
     * {@code heardFrom} is false): stale once {@code staleAfter} has passed without a sign of life.
     */
    public static ProxyStatus derive(boolean heardFrom, Instant lastSeen, Instant now, Duration staleAfter) {
        if (lastSeen != null && lastSeen.plus(staleAfter).isBefore(now)) {
            return STALE;
        }
        return heardFrom ? ACTIVE : PENDING;
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static ProxyStatus fromWire(String value) {
        return ProxyStatus.valueOf(value.toUpperCase(Locale.ROOT));
    }
}
