package io.marchproxy.dataplane.proxy;

/**
 * How the configuration a frame was decided under in the kernel (the sequence the XDP program writes in the header it
 * puts in front of the frame) compares with the one the worker handles it under. The proxy swaps the worker first and the kernel
 * after, so a frame may meet a newer configuration in Java than in XDP ({@link #KERNEL_BEHIND}, during a swap: Java
 * decides it again in full, so its outcome is the newer configuration's), never an older one: {@link #KERNEL_AHEAD}
 * stays 0 unless the kernel was flipped past the worker, i.e. a torn swap.
 */
public enum ConfigConsistency
{
    /** Decided under the configuration the worker handles it under. */
    MATCHED,
    /** Decided under an older configuration than the worker's (in flight during a swap). */
    KERNEL_BEHIND,
    /** Decided under a configuration the worker had not adopted: must never happen. */
    KERNEL_AHEAD,
    /** Without the XDP program's header (another program on the interface): nothing to compare. */
    UNSTAMPED
}
