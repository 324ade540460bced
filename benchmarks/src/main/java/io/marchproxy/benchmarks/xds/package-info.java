/**
 * JMH benchmarks of the control plane's xDS side: building a cluster's Envoy snapshot from its resolved config.
 * Depends on control-api.
 */
package io.marchproxy.benchmarks.xds;
