/**
 * {@code marchproxy stats}: a live view of a running node read from outside the process. {@link
 * io.marchproxy.node.stats.MetricsScrape} parses the node's {@code /observe/metrics} (the Prometheus text format) and
 * {@link io.marchproxy.node.stats.StatsView} turns two scrapes into rates: packets a second, flows, drops by reason and
 * the per-packet latency's p50/p99 over the interval. Depends on nothing of the node but the metric names it exports.
 */
package io.marchproxy.node.stats;
