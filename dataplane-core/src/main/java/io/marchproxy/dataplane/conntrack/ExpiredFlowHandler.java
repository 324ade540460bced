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
}
