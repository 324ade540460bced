/**
 * JMH benchmarks of the dataplane's statistics and flow journal hand-off: recording a latency into the per-writer
 * HdrHistogram recorder, and writing a flow record into the journal ring. Run with {@code -prof gc}: both allocate
 * 0 B/op.
 */
package io.marchproxy.benchmarks.stats;
