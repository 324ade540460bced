/**
 * Bindings to libbpf 1.x ({@code libbpf.so.1}, headers {@code <bpf/libbpf.h>} and {@code <bpf/bpf.h>}): opening and
 * loading BPF objects from memory, maps and programs, XDP attach/detach/query, and libbpf's log routed into
 * {@link java.lang.System.Logger}. A function absent from the installed libbpf fails when called, with its name and the
 * version found.
 */
package io.marchproxy.ffm.libbpf;
