/**
 * Value types of the L4 proxy shared by every layer above the packet parser: IP addresses as two {@code long}s plus a
 * family ({@link io.marchproxy.dataplane.net.IpAddress}, {@link io.marchproxy.dataplane.net.IpPrefix}), port ranges,
 * the {@link io.marchproxy.dataplane.net.L4Protocol} of a service, the reusable 5-tuple
 * {@link io.marchproxy.dataplane.net.FlowTuple} and the one hash function every table uses
 * ({@link io.marchproxy.dataplane.net.TupleHash}). The records are for configuration (they allocate); the hot path
 * passes the same values as primitives, an address as {@code (family, hi, lo)}: IPv4 in the low 32 bits of
 * {@code lo} with {@code hi == 0}, IPv6 as its first eight bytes in {@code hi} and its last eight in {@code lo}, both
 * big-endian (network order read as an unsigned number). Depends on nothing but the JDK.
 */
package io.marchproxy.dataplane.net;
