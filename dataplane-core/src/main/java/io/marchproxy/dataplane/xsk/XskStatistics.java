package io.marchproxy.dataplane.xsk;

/**
 * A socket's kernel counters ({@code struct xdp_statistics}, getsockopt {@code XDP_STATISTICS}).
 * A field beyond the length the kernel returned (an older kernel's shorter struct) is -1.
 *
 * @param rxDropped             frames dropped for other reasons than the two below
 * @param rxInvalidDescriptors  fill-ring entries the kernel rejected
 * @param txInvalidDescriptors  TX descriptors the kernel rejected
 * @param rxRingFull            frames dropped because the RX ring was full
 * @param rxFillRingEmpty       times a frame arrived with the fill ring empty
 * @param txRingEmpty           times the kernel found the TX ring empty when woken
 */
public record XskStatistics(
    long rxDropped,
    long rxInvalidDescriptors,
    long txInvalidDescriptors,
    long rxRingFull,
    long rxFillRingEmpty,
    long txRingEmpty)
{
}
