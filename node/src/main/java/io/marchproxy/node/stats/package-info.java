/**
 * {@code marchproxy stats}: a live view of a running node read from outside the process. {@link
 * io.marchproxy.node.stats.MetricsScrape} parses the node's {@code /observe/metrics} (the Prometheus text format) and
 * {@link io.marchproxy.node.stats.StatsView} turns two scrapes into rates: packets a second, flows, drops by reason and
 * the per-packet latency's p50/p99 over the interval, node-wide and per L4 service (from
 * {@code marchproxy_l4_service_packet_latency_seconds}, each service's own distribution in the dataplane).
 * {@link io.marchproxy.node.stats.ProxiesView} shows the proxies a control plane knows (remote agents included) from
 * {@code GET /api/v1/proxies}: status, health, version served and their heartbeats' figures. Depends on nothing of the node but the metric names and the JSON it serves.
 */
package io.marchproxy.node.stats;
