package io.marchproxy.control.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * What a mapping does with the connections it matches ({@link Mapping#action()}), and what a cluster does with those
 * no mapping decides ({@link Cluster#defaultPolicy()}).
 */
public enum AccessAction {
    ALLOW, DENY;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static AccessAction fromWire(String value) {
        return AccessAction.valueOf(value.toUpperCase(Locale.ROOT));
    }
}
