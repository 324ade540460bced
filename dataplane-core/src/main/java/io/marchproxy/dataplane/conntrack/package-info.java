/**
 * Connection tracking for full NAT: {@link io.marchproxy.dataplane.conntrack.FlowTable}, an off-heap, bounded,
 * open-addressing table where both directions of a flow (client -> VIP and backend -> SNAT address) find one entry
 * holding the service, the backend, the TCP state, last-seen time and per-direction counters; idle flows are swept
 * incrementally by the caller ({@code expire(now, budget, handler)}), the clock always passed in. One table per
 * address family, owned by one dataplane thread. Depends on {@code io.marchproxy.dataplane.net} and
 * {@code io.marchproxy.dataplane.counter} (and on {@code io.marchproxy.dataplane.packet} for the TCP flag bits).
 */
package io.marchproxy.dataplane.conntrack;
