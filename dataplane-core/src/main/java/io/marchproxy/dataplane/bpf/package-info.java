/**
 * XDP programs and eBPF maps: {@link io.marchproxy.dataplane.bpf.BpfObject} opens a compiled object (the ones built from
 * {@code bpf/} ship inside this jar) and loads it into the kernel; {@link io.marchproxy.dataplane.bpf.BpfMap} reads and
 * writes its maps; {@link io.marchproxy.dataplane.bpf.XdpAttachment} attaches a program to an interface and detaches
 * it on close; {@link io.marchproxy.dataplane.bpf.XskProgram} is the AF_XDP redirect program with its counters and
 * policy. Setup-time code: these classes allocate and may throw, unlike the packet path.
 */
package io.marchproxy.dataplane.bpf;
