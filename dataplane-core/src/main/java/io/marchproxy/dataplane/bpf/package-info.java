/**
 * XDP programs and eBPF maps: {@link io.marchproxy.dataplane.bpf.BpfObject} opens a compiled object (the ones built from
 * {@code bpf/} ship inside this jar) and loads it into the kernel; {@link io.marchproxy.dataplane.bpf.BpfMap} reads,
 * writes and walks its maps; {@link io.marchproxy.dataplane.bpf.XdpAttachment} attaches a program to an interface and detaches
 * it on close; {@link io.marchproxy.dataplane.bpf.XskProgram} is the AF_XDP redirect program with its counters and
 * policy; {@link io.marchproxy.dataplane.bpf.L4Program} the L4 proxy's ({@code xdp_l4}), whose layouts
 * {@link io.marchproxy.dataplane.bpf.L4Layouts} holds and which writes its configuration maps as differences through
 * {@link io.marchproxy.dataplane.bpf.MirroredMap} (a map with a copy of what was written into it). Setup-time code:
 * these classes allocate and may throw, unlike the packet path, with one exception:
 * {@link io.marchproxy.dataplane.bpf.L4FlowSlots}, the offloaded flows' slots mapped as shared memory, is written and
 * read by the dataplane thread itself, allocation-free.
 */
package io.marchproxy.dataplane.bpf;
