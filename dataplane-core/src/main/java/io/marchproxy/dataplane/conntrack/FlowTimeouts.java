package io.marchproxy.dataplane.conntrack;

import java.time.Duration;

/**
 * Idle timeouts per flow state, in nanoseconds of the caller's clock: a flow idle for longer than the timeout of its
 * state is evicted by the next sweep that visits it.
 *
 * @param handshakeNanos   SYN_SENT and SYN_RECEIVED
 * @param establishedNanos ESTABLISHED
 * @param closingNanos     FIN_WAIT and CLOSED
 * @param udpNanos         UDP
 */
public record FlowTimeouts(long handshakeNanos, long establishedNanos, long closingNanos, long udpNanos)
{
    /** 10 s handshake, 300 s established, 10 s closing, 30 s UDP. */
    public static final FlowTimeouts DEFAULTS = of(Duration.ofSeconds(10), Duration.ofSeconds(300),
        Duration.ofSeconds(10), Duration.ofSeconds(30));

    /**
     * Checks every timeout is positive.
     *
     * @throws IllegalArgumentException when one is not
     */
    public FlowTimeouts
    {
        if (handshakeNanos <= 0 || establishedNanos <= 0 || closingNanos <= 0 || udpNanos <= 0)
        {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    /**
     * {@return timeouts from durations}
     *
     * @param handshake SYN_SENT and SYN_RECEIVED
     * @param established ESTABLISHED
     * @param closing FIN_WAIT and CLOSED
     * @param udp UDP
     */
    public static FlowTimeouts of(
        final Duration handshake, final Duration established, final Duration closing, final Duration udp)
    {
        return new FlowTimeouts(handshake.toNanos(), established.toNanos(), closing.toNanos(), udp.toNanos());
    }

    /**
     * {@return the timeout of {@code state}}
     *
     * @param state a flow state
     */
    public long of(final FlowState state)
    {
        switch (state)
        {
            case SYN_SENT:
            case SYN_RECEIVED:
                return handshakeNanos;
            case ESTABLISHED:
                return establishedNanos;
            case UDP:
                return udpNanos;
            default:
                return closingNanos;
        }
    }
}
