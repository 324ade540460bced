package io.marchproxy.dataplane.balance;

/**
 * Picks the backend of a new flow among the backends of one service (indexes into the list the selector was built
 * from). A backend may be picked only while it is eligible: enabled, of weight above 0, and available (healthy).
 *
 * <p>Threads: every method belongs to the one dataplane thread that opens and closes the service's flows; none
 * allocates or throws for indexes in range.
 */
public interface BackendSelector
{
    /** What {@link #select} returns when no backend is eligible. */
    int NO_BACKEND = -1;

    /**
     * The backend for a new flow whose tuple hashes to {@code flowHash} (only consistent hashing looks at it), or
     * {@link #NO_BACKEND}.
     *
     * @param flowHash the flow's hash
     * @return the backend's index in the selector's list, or {@link #NO_BACKEND}
     */
    int select(long flowHash);

    /**
     * Marks a backend healthy or not; an unavailable one gets no new flows (its existing flows are the caller's).
     *
     * @param backend the backend's index
     * @param available whether it may get new flows
     */
    void available(int backend, boolean available);

    /**
     * {@return true when {@code backend} may get new flows}
     *
     * @param backend the backend's index
     */
    boolean isEligible(int backend);

    /** {@return backends in the list the selector was built from} */
    int size();

    /**
     * A flow was opened on {@code backend} (after its flow-table insert succeeded).
     *
     * @param backend the backend's index
     */
    default void flowOpened(final int backend)
    {
    }

    /**
     * A flow of {@code backend} ended (expired or removed from the flow table).
     *
     * @param backend the backend's index
     */
    default void flowClosed(final int backend)
    {
    }
}
