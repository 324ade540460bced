/**
 * perf-lab's config-apply benchmark: {@link io.marchproxy.perflab.apply.ApplyLatencyBench} measures how long a REST
 * change takes, after its acknowledgement, to be enforced by the L4 dataplane of a node (control plane, L4 proxy on
 * the L4 lab, the node's config follower), with traffic checks that what is enforced is what was written.
 */
package io.marchproxy.perflab.apply;
