package io.marchproxy.dataplane.nat;

/** The events a {@link SnatPortAllocator} counts, indexing its {@link SnatPortAllocator#counters()}. */
public enum SnatPortCounter
{
    /** Allocations that found every port taken. */
    EXHAUSTED,
    /** Frees refused: a port outside the range or not taken (a double free, a bug in the caller). */
    BAD_FREE
}
