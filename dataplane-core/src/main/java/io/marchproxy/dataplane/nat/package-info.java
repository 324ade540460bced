/**
 * Full NAT on frames in place: {@link io.marchproxy.dataplane.nat.NatRewriter} rewrites MACs, IPv4/IPv6 addresses,
 * TCP/UDP ports, TTL and hop limit, and translates the packet an ICMP/ICMPv6 error quotes, fixing every checksum
 * incrementally (RFC 1624); {@link io.marchproxy.dataplane.nat.SnatPortAllocator} hands out the node's source ports
 * per (node address, protocol). Both are garbage-free and belong to the one dataplane thread that owns the frames and
 * the flow table. Depends on {@code io.marchproxy.dataplane.packet} and {@code io.marchproxy.dataplane.net}.
 */
package io.marchproxy.dataplane.nat;
