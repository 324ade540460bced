/**
 * The {@code marchproxy} command ({@link io.marchproxy.node.cli.MarchproxyCommand}, picocli): {@code node},
 * {@code control-plane}, {@code lab}, {@code agent}, {@code stats}, {@code journal tail}, {@code licence},
 * {@code envoy-bootstrap}, each a class that parses its options and hands over to the code that does the work
 * ({@link io.marchproxy.node.Node}, {@link io.marchproxy.control.ControlPlaneMain}, the licence and bootstrap classes of
 * control-api, the agent's {@link io.marchproxy.node.agent.AgentMain}, {@link io.marchproxy.node.stats.StatsView},
 * {@link io.marchproxy.node.journal.JournalTail}). Help and version answer before anything is set up: command classes touch nothing heavy until they run.
 * Logging is configured here ({@link io.marchproxy.node.cli.LogOptions}): java.util.logging for everything (SLF4J
 * through slf4j-jdk14), as text or as one JSON object a line ({@link io.marchproxy.node.cli.JsonLogFormatter}).
 */
package io.marchproxy.node.cli;
