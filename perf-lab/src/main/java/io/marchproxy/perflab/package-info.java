/**
 * The Java side of the perf lab: {@link io.marchproxy.perflab.XskScenario} runs the rxdrop, txonly and l2fwd loops of
 * {@code perf-lab/c/xsk_ref.c} on {@code io.marchproxy.dataplane.xsk}, with the same options and the same one-line
 * JSON result, so that {@code perf-lab/run} can put the two side by side. For the scenario {@code lb},
 * {@link io.marchproxy.perflab.LbScenario} runs the dataplane's L4 proxy under the same measurement window and
 * {@link io.marchproxy.perflab.UdpRtt} measures UDP round trips through it (or through the kernel's NAT path).
 * {@link io.marchproxy.perflab.PercentileCurve} writes a latency histogram as the percentile points the report draws
 * its CDFs from. Depends on dataplane-core and HdrHistogram.
 */
package io.marchproxy.perflab;
