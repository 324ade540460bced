/**
 * MarchProxy's L7 side: Envoy proxies take all their configuration from here. {@link
 * io.marchproxy.control.xds.EnvoyTranslator} turns a cluster's {@link io.marchproxy.control.config.ResolvedConfig} into
 * Envoy v3 resources as a pure function; {@link io.marchproxy.control.xds.ClusterSnapshots} versions them by content;
 * {@link io.marchproxy.control.xds.XdsServer} serves them with java-control-plane's V3 discovery server (ADS and the
 * separate xDS services) on a gRPC listener, one snapshot per MarchProxy cluster, and tracks every connected
 * node's ACKs and NACKs; {@link io.marchproxy.control.xds.EnvoyService} serves bootstraps and the node list over REST.
 * Depends on the config, model and rest packages; nothing else in the control plane depends on this package except
 * {@link io.marchproxy.control.ControlPlane}, which starts it.
 */
package io.marchproxy.control.xds;
