package io.marchproxy.dataplane.qos;

/**
 * Where an {@link EgressScheduler} sends frames: an AF_XDP socket's TX ring (and the UMEM pool dropped frames go
 * back to) in the proxy, an array in benchmarks and tests. For the scheduler's thread.
 */
public interface TxPort
{
    /** How many of {@code max} frames {@link #transmit} would take now. */
    int txRoom(int max);

    /** Queues the frame at UMEM {@code address} for transmission; false when the ring is full. */
    boolean transmit(long address, int length);

    /** Gives a frame the scheduler held and dropped back to its pool. */
    void discard(long address);
}
