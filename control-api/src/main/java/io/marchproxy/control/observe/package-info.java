/**
 * Observability under {@code /observe}: health of the store, and {@code /observe/metrics} over the control plane's
 * Prometheus client_java registry ({@link io.marchproxy.control.observe.RequestMetrics},
 * {@link io.marchproxy.control.observe.StoreMetrics}, {@link io.marchproxy.control.observe.BuildInfo}, JVM and
 * process metrics, and collectors others register, built with {@link io.marchproxy.control.observe.MetricFamilies}).
 * Depends on the store and model; registered by {@link io.marchproxy.control.ControlPlane}.
 */
package io.marchproxy.control.observe;
