package io.marchproxy.dataplane.qos;

import java.time.Duration;
import java.util.Objects;

/**
 * One service's QoS policy as the proxy applies it: a token bucket per direction (rate, shared burst size), its
 * priority class, the DSCP its packets carry and, optionally, its own delay bound.
 *
 * @param ingressBitsPerSecond the rate of what clients send to the service (toward its backends); 0: unlimited
 * @param egressBitsPerSecond  the rate of what the service sends back to its clients; 0: unlimited
 * @param burstBytes           how far above the rate a burst may go, each direction; 0: 10 ms worth of the rate
 *                             (at least {@value #MIN_BURST_BYTES} bytes)
 * @param priority             its priority class
 * @param dscp                 0..63, or -1 for the class's DSCP
 * @param maxDelay             the longest its packets may wait in the node, or null for the class's bound
 */
public record ServiceQos(
    long ingressBitsPerSecond,
    long egressBitsPerSecond,
    int burstBytes,
    PriorityClass priority,
    int dscp,
    Duration maxDelay)
{
    /** The smallest default burst: two full Ethernet frames and some. */
    public static final int MIN_BURST_BYTES = 4096;

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public ServiceQos
    {
        Objects.requireNonNull(priority, "priority");
        if (ingressBitsPerSecond < 0 || egressBitsPerSecond < 0 || burstBytes < 0)
        {
            throw new IllegalArgumentException("rates and burst are >= 0 (0: unlimited, default burst)");
        }
        if (dscp < -1 || dscp > 63)
        {
            throw new IllegalArgumentException("a DSCP is 0..63 (or -1 for the class's), not " + dscp);
        }
        if (maxDelay != null && (maxDelay.isNegative() || maxDelay.isZero()))
        {
            throw new IllegalArgumentException("a maximum delay is above 0 (null: the class's)");
        }
    }

    /**
     * {@return just a class: no limit, the class's DSCP and delay bound}
     *
     * @param priority the class
     */
    public static ServiceQos ofClass(final PriorityClass priority)
    {
        return new ServiceQos(0, 0, 0, priority, -1, null);
    }

    /**
     * {@return the bucket size for {@code bitsPerSecond}: {@link #burstBytes()} or its default}
     *
     * @param bitsPerSecond the bucket's rate
     */
    public long burstFor(final long bitsPerSecond)
    {
        return burstBytes > 0 ? burstBytes : Math.max(MIN_BURST_BYTES, bitsPerSecond / 8 / 100);
    }
}
