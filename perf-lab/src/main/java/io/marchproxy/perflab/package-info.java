/**
 * The Java side of the perf lab: {@link io.marchproxy.perflab.XskScenario} runs the rxdrop, txonly and l2fwd loops of
 * {@code perf-lab/c/xsk_ref.c} on {@code io.marchproxy.dataplane.xsk}, with the same options and the same one-line
 * JSON result, so that {@code perf-lab/run} can put the two side by side. Depends on dataplane-core only.
 */
package io.marchproxy.perflab;
