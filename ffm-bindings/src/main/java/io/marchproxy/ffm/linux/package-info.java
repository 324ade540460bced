/**
 * Layouts and constants of the Linux UAPI headers for AF_XDP ({@code <linux/if_xdp.h>}), XDP attachment and link
 * attributes ({@code <linux/if_link.h>}) and routing netlink ({@code <linux/netlink.h>}, {@code <linux/rtnetlink.h>},
 * {@code <linux/neighbour.h>}). Pure data: no native calls live here; the sockets are libc's
 * ({@link io.marchproxy.ffm.libc.SysSocket}).
 */
package io.marchproxy.ffm.linux;
