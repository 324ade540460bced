package io.marchproxy.control.model;

/** Per-cluster logging switches the proxies honour. */
public record LoggingSwitches(boolean auth, boolean netflow, boolean debug) {
}
