package io.marchproxy.dataplane.conntrack;

/**
 * Told about each flow {@link FlowTable#expire} evicts, before its record is freed, so that the caller can give back
 * the SNAT port and decrement the backend's active-flow count. Runs on the table's thread; must not insert into or
 * remove from the table.
 */
@FunctionalInterface
public interface ExpiredFlowHandler
{
    /**
     * The flow of {@code handle} (original direction) is being evicted; its fields are still readable.
     *
     * @param table the table the flow is in
     * @param handle the flow's original-direction handle
     */
    void onExpired(FlowTable table, int handle);

    /**
     * The flow of {@code handle} is idle by its last-seen time and about to be evicted: the last chance to account for
     * traffic that bypassed the table ({@link FlowTable#addTraffic}). The flow is evicted only if it is still idle
     * afterwards. Does nothing by default.
     *
     * @param table  the table holding the flow
     * @param handle the flow's original-direction handle
     */
    default void beforeExpiry(final FlowTable table, final int handle)
    {
    }
}
