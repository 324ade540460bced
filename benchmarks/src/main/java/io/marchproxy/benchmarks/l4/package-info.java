/**
 * JMH benchmarks of the L4 proxy core of dataplane-core: the per-packet path (parse, service match, access decision,
 * flow-table hit, NAT rewrite with incremental checksums), flow-table lookups at 1,000 and 1,000,000 flows, Maglev
 * table builds, and the QoS stage (token bucket, class queues and deficit round robin, DSCP marking). Run with {@code -prof gc}: the per-packet operations allocate 0 B/op.
 */
package io.marchproxy.benchmarks.l4;
