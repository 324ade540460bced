package io.marchproxy.dataplane.qos;

/** What an {@link EgressScheduler} counts per priority class. */
public enum QosCounter
{
    /** Frames sent (queued on the TX ring). */
    SENT,
    /** Their bytes. */
    SENT_BYTES,
    /** Frames that waited in the class's queue for the link (the rest went straight out). */
    QUEUED,
    /** Frames that waited for their service's tokens. */
    SHAPED,
    /** Frames dropped because the class's queue (or the shaper) was full. */
    DROPPED_QUEUE_FULL,
    /** Frames dropped because they would have waited longer than their delay bound. */
    DROPPED_DELAY,
    /** The longest time a sent frame spent in the node (shaper and queue), in nanoseconds. */
    DELAY_MAX_NANOS,
    /** The total time sent frames spent waiting, in nanoseconds (with {@link #SENT}: the mean). */
    DELAY_TOTAL_NANOS
}
