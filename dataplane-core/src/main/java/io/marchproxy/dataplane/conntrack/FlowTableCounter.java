package io.marchproxy.dataplane.conntrack;

/** The events a {@link FlowTable} counts, indexing its {@link FlowTable#counters()}. */
public enum FlowTableCounter
{
    /** Flows inserted. */
    INSERTED,
    /** Inserts refused because every record was taken. */
    INSERT_FULL,
    /** Inserts refused because one of the two keys was already tracked. */
    INSERT_EXISTS,
    /** Inserts refused because the tuples do not fit the table (family, or both directions the same key). */
    INSERT_INVALID,
    /** Flows evicted by {@link FlowTable#expire} for being idle. */
    EXPIRED,
    /** Flows removed by {@link FlowTable#remove}. */
    REMOVED
}
