package io.marchproxy.dataplane.qos;

import java.time.Duration;
import java.util.Locale;

/**
 * The four priority classes of the egress scheduler, P0 the most urgent. Each has a default share of a congested link
 * (its weight), a default DSCP its packets are marked with (RFC 4594's EF, AF41, AF21 and best effort) and a default
 * maximum queueing delay; {@link QosSettings} may change all three.
 */
public enum PriorityClass
{
    P0(40, 46, Duration.ofMillis(5)),
    P1(30, 34, Duration.ofMillis(20)),
    P2(20, 18, Duration.ofMillis(50)),
    P3(10, 0, Duration.ofMillis(100));

    /** The number of classes. */
    public static final int COUNT = 4;

    private final int defaultWeight;
    private final int defaultDscp;
    private final Duration defaultMaxDelay;

    PriorityClass(final int defaultWeight, final int defaultDscp, final Duration defaultMaxDelay)
    {
        this.defaultWeight = defaultWeight;
        this.defaultDscp = defaultDscp;
        this.defaultMaxDelay = defaultMaxDelay;
    }

    public int defaultWeight()
    {
        return defaultWeight;
    }

    public int defaultDscp()
    {
        return defaultDscp;
    }

    public Duration defaultMaxDelay()
    {
        return defaultMaxDelay;
    }

    /** The class named {@code p0}..{@code p3} (any case). */
    public static PriorityClass parse(final String name)
    {
        try
        {
            return valueOf(name.strip().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("a priority class is P0, P1, P2 or P3, not '" + name + "'");
        }
    }
}
