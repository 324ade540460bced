/**
 * Bindings to the parts of glibc the dataplane uses: sockets, mmap, poll, interface names, namespaces and CPU
 * affinity, errno. One class per header; functions that set errno capture it (see {@link io.marchproxy.ffm.CallState})
 * and return the raw C result, so a caller checks it with {@link io.marchproxy.ffm.libc.Errno#check(int, String)}.
 */
package io.marchproxy.ffm.libc;
