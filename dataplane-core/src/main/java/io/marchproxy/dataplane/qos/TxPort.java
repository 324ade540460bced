package io.marchproxy.dataplane.qos;

/**
 * Where an {@link EgressScheduler} sends frames: an AF_XDP socket's TX ring (and the UMEM pool dropped frames go
 * back to) in the proxy, an array in benchmarks and tests. For the scheduler's thread.
 */
public interface TxPort
{
    /**
     * {@return how many of {@code max} frames {@link #transmit} would take now}
     *
     * @param max the most frames wanted
     */
    int txRoom(int max);

    /**
     * {@return false when the ring is full, else queues the frame at UMEM {@code address} for transmission}
     *
     * @param address the frame's UMEM address
     * @param length  the frame's length
     */
    boolean transmit(long address, int length);

    /**
     * Gives a frame the scheduler held and dropped back to its pool.
     *
     * @param address the frame's UMEM address
     */
    void discard(long address);
}
