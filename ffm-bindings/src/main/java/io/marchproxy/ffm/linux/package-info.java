/**
 * Layouts and constants of the Linux UAPI headers for AF_XDP ({@code <linux/if_xdp.h>}) and XDP attachment
 * ({@code <linux/if_link.h>}). Pure data: no native calls live here.
 */
package io.marchproxy.ffm.linux;
