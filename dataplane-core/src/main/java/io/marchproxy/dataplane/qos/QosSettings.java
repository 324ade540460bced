package io.marchproxy.dataplane.qos;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a proxy schedules what it sends, per interface: whether QoS is on (off: frames go straight to the TX ring, no
 * classes, no marking, no shaping), the four classes, the class of services without a policy, the interface's egress
 * rate (0: the TX ring is the only limit, as on a real NIC whose ring fills when the link is busy) and the bounds of
 * what may be held.
 *
 * @param enabled         whether QoS is on
 * @param classes         by {@link PriorityClass#ordinal()}, four of them
 * @param defaultClass    the class of services without a QoS policy (their packets are not marked)
 * @param linkBitsPerSecond the egress rate of each interface the proxy sends on; 0 for none
 * @param linkBurstBytes  what the interface may send back to back at line speed above that rate
 * @param queueFrames     frames each class may hold waiting for the link, per interface (a power of two)
 * @param shaperFrames    frames services over their rate may hold waiting for tokens, per interface
 */
public record QosSettings(
    boolean enabled,
    List<ClassSettings> classes,
    PriorityClass defaultClass,
    long linkBitsPerSecond,
    int linkBurstBytes,
    int queueFrames,
    int shaperFrames)
{
    /** On, with each class's defaults, P2 for services without a policy, no link rate. */
    public static final QosSettings DEFAULTS = new QosSettings(true, defaultClasses(), PriorityClass.P2, 0, 32 * 1024,
        256, 1024);

    /** Off: no queueing, shaping or marking. */
    public static final QosSettings OFF = DEFAULTS.withEnabled(false);

    /**
     * Checks the values and copies the classes.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public QosSettings
    {
        classes = List.copyOf(classes);
        Objects.requireNonNull(defaultClass, "defaultClass");
        if (classes.size() != PriorityClass.COUNT)
        {
            throw new IllegalArgumentException("settings for the " + PriorityClass.COUNT + " classes P0..P3, not "
                + classes.size());
        }
        if (linkBitsPerSecond < 0)
        {
            throw new IllegalArgumentException("a link rate is >= 0 (0: none), not " + linkBitsPerSecond);
        }
        if (linkBurstBytes < 2048)
        {
            throw new IllegalArgumentException("the link burst must hold a full frame: at least 2048 bytes, not "
                + linkBurstBytes);
        }
        if (queueFrames < 2 || queueFrames > 65_536 || Integer.bitCount(queueFrames) != 1)
        {
            throw new IllegalArgumentException("queue frames per class is a power of two in 2..65536, not "
                + queueFrames);
        }
        if (shaperFrames < 1 || shaperFrames > 1 << 20)
        {
            throw new IllegalArgumentException("shaper frames is 1..1048576, not " + shaperFrames);
        }
    }

    private static List<ClassSettings> defaultClasses()
    {
        final List<ClassSettings> out = new ArrayList<>();
        for (final PriorityClass c : PriorityClass.values())
        {
            out.add(ClassSettings.defaults(c));
        }
        return out;
    }

    /**
     * {@return the settings of class {@code c}}
     *
     * @param c the class
     */
    public ClassSettings of(final PriorityClass c)
    {
        return classes.get(c.ordinal());
    }

    /** {@return frames one interface's scheduler may hold at most: every class queue full and the shaper full} */
    public int heldFramesPerInterface()
    {
        return enabled ? PriorityClass.COUNT * queueFrames + shaperFrames : 0;
    }

    /**
     * {@return these settings, on or off}
     *
     * @param on whether QoS is on
     */
    public QosSettings withEnabled(final boolean on)
    {
        return new QosSettings(on, classes, defaultClass, linkBitsPerSecond, linkBurstBytes, queueFrames,
            shaperFrames);
    }

    /**
     * {@return these settings with class {@code c}'s replaced}
     *
     * @param c        the class
     * @param settings its settings
     */
    public QosSettings withClass(final PriorityClass c, final ClassSettings settings)
    {
        final List<ClassSettings> next = new ArrayList<>(classes);
        next.set(c.ordinal(), settings);
        return new QosSettings(enabled, next, defaultClass, linkBitsPerSecond, linkBurstBytes, queueFrames,
            shaperFrames);
    }

    /**
     * {@return these settings with {@code c} for services without a policy}
     *
     * @param c the class
     */
    public QosSettings withDefaultClass(final PriorityClass c)
    {
        return new QosSettings(enabled, classes, c, linkBitsPerSecond, linkBurstBytes, queueFrames, shaperFrames);
    }

    /**
     * {@return these settings with an egress rate for each interface and the burst above it}
     *
     * @param bitsPerSecond the rate, 0 for none
     * @param burstBytes    the burst above it
     */
    public QosSettings withLink(final long bitsPerSecond, final int burstBytes)
    {
        return new QosSettings(enabled, classes, defaultClass, bitsPerSecond, burstBytes, queueFrames, shaperFrames);
    }

    /**
     * {@return these settings with other queue sizes}
     *
     * @param framesPerClass frames each class may hold per interface (a power of two)
     * @param shaper         frames the shaper may hold per interface
     */
    public QosSettings withQueues(final int framesPerClass, final int shaper)
    {
        return new QosSettings(enabled, classes, defaultClass, linkBitsPerSecond, linkBurstBytes, framesPerClass,
            shaper);
    }
}
