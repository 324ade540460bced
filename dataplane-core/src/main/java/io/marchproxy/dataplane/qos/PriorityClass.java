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
    /** The most urgent: weight 40, EF (46), 5 ms. */
    P0(40, 46, Duration.ofMillis(5)),
    /** Weight 30, AF41 (34), 20 ms. */
    P1(30, 34, Duration.ofMillis(20)),
    /** Weight 20, AF21 (18), 50 ms. */
    P2(20, 18, Duration.ofMillis(50)),
    /** Best effort: weight 10, DSCP 0, 100 ms. */
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

    /** {@return the class's default share of a congested link} */
    public int defaultWeight()
    {
        return defaultWeight;
    }

    /** {@return the DSCP the class's packets are marked with by default} */
    public int defaultDscp()
    {
        return defaultDscp;
    }

    /** {@return the longest the class's packets may wait by default} */
    public Duration defaultMaxDelay()
    {
        return defaultMaxDelay;
    }

    /**
     * {@return the class named {@code name}}
     *
     * @param name {@code p0}..{@code p3}, any case
     * @throws IllegalArgumentException for another name
     */
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
