/**
 * The L4 proxy: an XDP program ({@code xdp_l4}) that drops what the access rules deny and steers the rest of the
 * services' traffic to AF_XDP sockets, and user-space workers that balance each new flow onto a backend, rewrite
 * addresses and ports both ways (DNAT to the backend, SNAT from a port range of the node), translate ICMP errors
 * and forward on the other interface; once a flow is decided (established TCP, UDP after a few frames), the XDP
 * program forwards it itself from slots the worker writes ({@link io.marchproxy.dataplane.proxy.FlowOffload}, per
 * service by {@link io.marchproxy.dataplane.proxy.ProxyService#offload()}), until a SYN, FIN or RST, a change or
 * idleness brings it back. {@link io.marchproxy.dataplane.proxy.L4Proxy} is the entry point: start it
 * with {@link io.marchproxy.dataplane.proxy.ProxySettings} (interfaces, SNAT addresses, sizes), give it a
 * {@link io.marchproxy.dataplane.proxy.ProxyConfig} (services, backends, access policy) and apply new ones while
 * traffic flows. {@link io.marchproxy.dataplane.proxy.ProxyPipeline} is the per-packet work of one worker,
 * {@link io.marchproxy.dataplane.proxy.BackendMonitor} resolves backend MAC addresses (a disabled backend keeps
 * its, so the flows it has drain) and runs health probes,
 * {@link io.marchproxy.dataplane.proxy.ProxyStatistics} holds the per-service and per-backend counters (offloaded
 * flows' included) and each service's per-packet latency,
 * {@link io.marchproxy.dataplane.proxy.OffloadCounter} names what offload counts and
 * {@link io.marchproxy.dataplane.proxy.ProxySnapshot} all the proxy's figures as plain values for exporters (the
 * library knows no metrics format), {@link io.marchproxy.dataplane.proxy.ApplyStages} how long each stage of a
 * configuration change took; {@link io.marchproxy.dataplane.proxy.FlowEvents} is what the proxy tells a flow
 * journal. Depends on every lower package of {@code io.marchproxy.dataplane}.
 */
package io.marchproxy.dataplane.proxy;
