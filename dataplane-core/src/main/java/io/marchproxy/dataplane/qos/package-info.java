/**
 * Quality of service on the proxy's egress, garbage-free and on the worker's thread: {@link
 * io.marchproxy.dataplane.qos.TokenBucket} (a per-service rate and burst, kept as one GCRA timestamp),
 * {@link io.marchproxy.dataplane.qos.EgressScheduler} (per interface: a timing-wheel shaper for services over their
 * rate, a bounded queue per {@link io.marchproxy.dataplane.qos.PriorityClass} and deficit round robin between them
 * within the link's rate; drops counted when a queue is full or a deadline would pass), {@link
 * io.marchproxy.dataplane.qos.DscpMarker} (DSCP into IPv4 TOS / IPv6 traffic class, checksum fixed), and the settings
 * ({@link io.marchproxy.dataplane.qos.QosSettings} for the node, {@link io.marchproxy.dataplane.qos.ServiceQos} per
 * service). No sleeping and no clock reads: callers pass the time they read once per batch. Depends on
 * {@code io.marchproxy.dataplane.packet} and {@code counter}; the proxy composes it.
 */
package io.marchproxy.dataplane.qos;
