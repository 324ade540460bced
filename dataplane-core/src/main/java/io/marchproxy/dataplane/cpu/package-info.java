/**
 * Where dataplane threads run: {@link io.marchproxy.dataplane.cpu.CpuSet} (CPU lists in the kernel's format),
 * {@link io.marchproxy.dataplane.cpu.ThreadAffinity} ({@code sched_setaffinity}/{@code sched_getaffinity} and
 * {@code gettid} through {@code ffm-bindings}), {@link io.marchproxy.dataplane.cpu.NumaTopology} (NUMA nodes, their
 * CPUs and a network device's node, from sysfs), and {@link io.marchproxy.dataplane.cpu.CpuPlacement}, which turns a
 * configured {@link io.marchproxy.dataplane.cpu.CpuPolicy} into the CPUs a worker is pinned to and a sentence saying
 * why. Setup-rate code; nothing here is on the per-packet path. Depends on {@code ffm-bindings} only.
 */
package io.marchproxy.dataplane.cpu;
