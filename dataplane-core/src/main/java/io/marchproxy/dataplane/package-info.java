/**
 * The MarchProxy dataplane: everything that touches packets, built on {@code ffm-bindings} and used by
 * {@code control-api}. Sub-packages: {@code bpf} (XDP programs and eBPF maps), {@code xsk} (AF_XDP sockets, UMEM and
 * rings), {@code netns} (network namespaces and veth labs), {@code lab} (the lab node launcher).
 */
package io.marchproxy.dataplane;
