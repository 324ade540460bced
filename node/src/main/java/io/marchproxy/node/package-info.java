/**
 * A whole MarchProxy node in one process: the control plane (REST, durable store, xDS) and the L4 proxy, joined by
 * {@link io.marchproxy.node.L4Dataplane}, a {@link io.marchproxy.control.config.ConfigChangeListener} that compiles the
 * node's cluster's configuration ({@link io.marchproxy.node.ProxyConfigCompiler}) and swaps it into the proxy on every
 * change; {@link io.marchproxy.node.NodeDataplane} composes the proxy, its flow journal and
 * {@link io.marchproxy.node.NodeMetrics} (the dataplane's figures in the control plane's Prometheus registry). Without
 * interfaces the node builds its lab (clients, the node and backends in namespaces, real servers, lab traffic) and
 * shows a live table. The top of the layering: it may use everything below.
 */
package io.marchproxy.node;
