/**
 * The kernel's neighbour (ARP and NDP) table read and driven over routing netlink, from inside the network namespace the
 * dataplane runs in: {@link io.marchproxy.dataplane.netlink.NeighbourTable} lists and looks up the entries of an
 * interface, asks the kernel to resolve a missing one and waits, bounded, until it has a link-layer address; it also
 * reads an interface's own name, MAC and MTU ({@link io.marchproxy.dataplane.netlink.InterfaceLink}). Next-hop MACs
 * come from here, never from configuration. Setup-rate code: it allocates and throws
 * {@link io.marchproxy.ffm.ErrnoException}s with the kernel's own explanation; nothing here is on a packet path.
 * Depends on ffm-bindings and {@link io.marchproxy.dataplane.netns} only.
 */
package io.marchproxy.dataplane.netlink;
