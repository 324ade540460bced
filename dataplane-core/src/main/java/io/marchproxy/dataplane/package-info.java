/**
 * The MarchProxy dataplane: everything that touches packets, built on {@code ffm-bindings} and composed with the
 * control plane by the {@code node} module. Sub-packages: {@code bpf} (XDP programs and eBPF maps), {@code xsk} (AF_XDP sockets, UMEM and
 * rings), {@code netns} (network namespaces and veth labs), and the L4 proxy core, pure Java and garbage-free on the
 * per-packet path: {@code net} (addresses, prefixes, tuples, the shared hash), {@code counter} (single-writer
 * counters), {@code packet} (header flyweights, the parser, checksums), {@code nat} (in-place NAT rewriting, SNAT
 * ports), {@code service} (VIP/protocol/port to service), {@code acl} (access rules compiled for an LPM trie and for
 * Java), {@code balance} (backend selection: round-robin, weighted, least-connections, Maglev) and {@code conntrack}
 * (the off-heap flow table). The L4 core knows nothing of the control API's REST model: the control plane translates
 * its configuration into these types.
 */
package io.marchproxy.dataplane;
