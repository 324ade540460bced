package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.cpu.CpuPlacement;
import io.marchproxy.dataplane.cpu.CpuSet;

/**
 * Where the proxy's dataplane worker runs, as it found itself once started: its thread (name and the kernel's id, as
 * in {@code /proc/<pid>/task/<tid>}), the RX queue it serves on both interfaces, the placement chosen and why, the
 * CPUs the kernel then reported for the thread, and its idle strategy.
 *
 * @param thread    the worker thread's name
 * @param threadId  the kernel's id of the thread
 * @param queue     the RX queue it serves on both interfaces
 * @param placement the placement chosen and why
 * @param allowed   what {@code sched_getaffinity} says for the thread after pinning (all the process's CPUs when not
 *                  pinned)
 * @param idle      its idle strategy
 */
public record WorkerPlacement(
    String thread, int threadId, int queue, CpuPlacement placement, CpuSet allowed, WorkerIdle idle)
{
    @Override
    public String toString()
    {
        return thread + " (tid " + threadId + ", queue " + queue + ", idle " + idle.configName() + "): "
            + (placement.pinned() ? "pinned to CPUs " + allowed : "CPUs " + allowed) + "; " + placement.reason();
    }
}
