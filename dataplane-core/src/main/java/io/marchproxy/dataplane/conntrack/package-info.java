/**
 * Connection tracking for full NAT: {@link io.marchproxy.dataplane.conntrack.FlowTable}, an off-heap, bounded,
 * open-addressing table where both directions of a flow (client -> VIP and backend -> SNAT address) find one entry
 * holding the service, the backend, the TCP state, last-seen time and per-direction counters, and, for IPv4, the
 * checksum deltas of the flow's rewrite, so that {@code hitAndRewrite} finds, counts and rewrites a packet of an
 * established flow in one call; idle flows are swept incrementally by the caller ({@code expire(now, budget,
 * handler)}), the clock always passed in. One table per address family, owned by one dataplane thread. Depends on
 * {@code io.marchproxy.dataplane.net}, {@code io.marchproxy.dataplane.counter}, {@code io.marchproxy.dataplane.nat}
 * (the rewrite) and {@code io.marchproxy.dataplane.packet} (the parsed packet, checksums, the TCP flag bits).
 */
package io.marchproxy.dataplane.conntrack;
