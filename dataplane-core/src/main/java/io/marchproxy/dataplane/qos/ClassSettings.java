package io.marchproxy.dataplane.qos;

import java.time.Duration;
import java.util.Objects;

/**
 * One priority class's settings.
 *
 * @param weight   its share of a congested link against the other backlogged classes (deficit round robin: a class
 *                 of weight 40 sends four times the bytes of one of weight 10 while both have packets waiting)
 * @param maxDelay the longest a packet of the class may wait in the node (shaping and queueing); a packet that would
 *                 wait longer is dropped and counted. At most {@link EgressScheduler#HORIZON}.
 * @param dscp     the DSCP written into the IP header of the class's packets (0..63), for services whose policy
 *                 names none of its own
 */
public record ClassSettings(int weight, Duration maxDelay, int dscp)
{
    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public ClassSettings
    {
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (weight < 1 || weight > 1000)
        {
            throw new IllegalArgumentException("a class weight is 1..1000, not " + weight);
        }
        if (maxDelay.isNegative() || maxDelay.isZero() || maxDelay.compareTo(EgressScheduler.HORIZON) > 0)
        {
            throw new IllegalArgumentException("a class's maximum delay is above 0 and at most "
                + EgressScheduler.HORIZON.toMillis() + " ms, not " + maxDelay.toMillis() + " ms");
        }
        if (dscp < 0 || dscp > 63)
        {
            throw new IllegalArgumentException("a DSCP is 0..63, not " + dscp);
        }
    }

    /**
     * {@return the defaults of {@code c}}
     *
     * @param c the class
     */
    public static ClassSettings defaults(final PriorityClass c)
    {
        return new ClassSettings(c.defaultWeight(), c.defaultMaxDelay(), c.defaultDscp());
    }
}
