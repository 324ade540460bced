/**
 * Observability under {@code /observe}: health of the store and Prometheus metrics of requests, store and proxies.
 * Depends on the store and model; registered by {@link io.marchproxy.control.ControlPlane}.
 */
package io.marchproxy.control.observe;
