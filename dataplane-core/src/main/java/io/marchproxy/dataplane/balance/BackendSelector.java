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
     */
    int select(long flowHash);

    /** Marks a backend healthy or not; an unavailable one gets no new flows (its existing flows are the caller's). */
    void available(int backend, boolean available);

    /** True when {@code backend} may get new flows. */
    boolean isEligible(int backend);

    /** Backends in the list the selector was built from. */
    int size();

    /** A flow was opened on {@code backend} (after its flow-table insert succeeded). */
    default void flowOpened(final int backend)
    {
    }

    /** A flow of {@code backend} ended (expired or removed from the flow table). */
    default void flowClosed(final int backend)
    {
    }
}
