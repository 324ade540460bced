package io.marchproxy.control.xds;

/**
 * An active service the Envoy translation could not express, and why: it gets no listener, so the cluster's Envoys do
 * not serve it. Reported per cluster in {@code GET /api/v1/envoy/nodes} and counted by
 * {@code marchproxy_xds_services_left_out}.
 */
public record LeftOut(String serviceId, String serviceName, String reason) {
}
