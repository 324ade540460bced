/**
 * MarchProxy's L7 side: Envoy proxies and proxyless gRPC clients take all their configuration from here.
 * {@link io.marchproxy.control.xds.EnvoyTranslator} turns a cluster's {@link io.marchproxy.control.config.ResolvedConfig}
 * into Envoy v3 resources as a pure function; {@link io.marchproxy.control.xds.XdsSnapshot} encodes them once and
 * versions them by content; {@link io.marchproxy.control.xds.XdsServer} serves them over state-of-the-world xDS
 * (our own protocol implementation, {@link io.marchproxy.control.xds.XdsStream}, on grpc-java) to nodes that present
 * a cluster credential ({@link io.marchproxy.control.xds.XdsCredentials}), one snapshot per cluster, and derives every
 * node's health from what it holds; {@link io.marchproxy.control.xds.EnvoyService} serves bootstraps and the node
 * list over REST. Depends on the config, model, auth, store and rest packages; nothing else in the control plane
 * depends on this package except {@link io.marchproxy.control.ControlPlane}, which starts it.
 */
package io.marchproxy.control.xds;
