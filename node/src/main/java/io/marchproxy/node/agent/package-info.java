/**
 * The remote dataplane agent ({@code marchproxy agent}): an L4 proxy on its own, following a control plane over its
 * REST API as a client ({@link io.marchproxy.node.agent.ControlClient}: {@code java.net.http} and Jackson, the shared
 * configuration model of {@code io.marchproxy.control.config.ResolvedConfig}, none of the server's classes). The
 * {@link io.marchproxy.node.agent.Agent} registers as a proxy of its key's cluster, long-polls the cluster's
 * configuration and applies each version whole, heartbeats with its statistics, keeps forwarding while the control
 * plane is away and catches up when it returns. {@link io.marchproxy.node.agent.AgentMain#run} runs it;
 * {@code marchproxy agent} ({@code io.marchproxy.node.cli}) parses its command line.
 */
package io.marchproxy.node.agent;
