/**
 * A whole MarchProxy node in one process: the control plane (REST, durable store, xDS) and the dataplane (the XDP
 * program on an interface, or on a veth lab it builds when given none), joined by a
 * {@link io.marchproxy.control.config.ConfigChangeListener} that keeps the XDP service map equal to the node's cluster's
 * L4 services. The top of the layering: it may use everything below.
 */
package io.marchproxy.node;
