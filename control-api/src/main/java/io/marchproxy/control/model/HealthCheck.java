package io.marchproxy.control.model;

/** Active health check of a service's backends. */
public record HealthCheck(String path, int intervalSeconds) {
}
