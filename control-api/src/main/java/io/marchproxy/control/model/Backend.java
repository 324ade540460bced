package io.marchproxy.control.model;

/** One upstream of a service. */
public record Backend(String address, int port, int weight, boolean enabled) {
}
