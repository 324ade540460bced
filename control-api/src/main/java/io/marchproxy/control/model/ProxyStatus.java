package io.marchproxy.control.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Lifecycle of a proxy node: registered but not yet heard from, heartbeating, or silent for too long. */
public enum ProxyStatus {
    PENDING, ACTIVE, STALE;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static ProxyStatus fromWire(String value) {
        return ProxyStatus.valueOf(value.toUpperCase(Locale.ROOT));
    }
}
