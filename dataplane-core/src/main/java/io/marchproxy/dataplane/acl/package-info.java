/**
 * Access rules of the L4 proxy and their compiled form. An {@link io.marchproxy.dataplane.acl.AccessRule} says: for
 * these source prefixes, these services, these protocols and destination ports, allow or deny; the first rule in
 * priority order that matches decides, else the default. {@link io.marchproxy.dataplane.acl.AccessPolicy#compile}
 * turns a rule list into one entry per (service, source prefix) for an eBPF LPM trie
 * ({@link io.marchproxy.dataplane.acl.AccessEntry}, written into the XDP program's map by {@code io.marchproxy.dataplane.bpf.L4AccessEncoding}) and
 * answers the same question in Java without allocating ({@link io.marchproxy.dataplane.acl.AccessPolicy#decide}).
 * A compiled policy is immutable: publish a new one to change the rules. Depends on
 * {@code io.marchproxy.dataplane.net}.
 */
package io.marchproxy.dataplane.acl;
