package io.marchproxy.control.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Operator roles, each including the rights of the ones below it. */
public enum Role {
    VIEWER, OPERATOR, ADMIN;

    /** True if this role has at least the rights of {@code required}. */
    public boolean covers(Role required) {
        return ordinal() >= required.ordinal();
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Role fromWire(String value) {
        return Role.valueOf(value.toUpperCase(Locale.ROOT));
    }
}
