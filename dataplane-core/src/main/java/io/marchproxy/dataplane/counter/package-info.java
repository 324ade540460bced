/**
 * The dataplane's counters: {@link io.marchproxy.dataplane.counter.SingleWriterCounters}, a fixed array of
 * {@code long} counters that one thread increments with release stores and any thread reads with acquire loads, in
 * the spirit of agrona's counters. Each hot-path component owns one instance (drops by reason, flow-table events,
 * port allocation failures) and documents which enum indexes it.
 * {@link io.marchproxy.dataplane.counter.LatencyHistogram} is a latency distribution (HdrHistogram) with a recorder
 * per writer thread, merged by readers: the node-wide per-packet latency.
 * {@link io.marchproxy.dataplane.counter.LatencyBuckets} is a compact single-writer distribution in fixed log-linear
 * buckets (under 900 bytes): one per service. Depends on the JDK and HdrHistogram.
 */
package io.marchproxy.dataplane.counter;
