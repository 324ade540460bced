package io.marchproxy.node;

import io.helidon.config.Config;
import io.marchproxy.dataplane.cpu.CpuPolicy;
import io.marchproxy.dataplane.proxy.ProxySettings;
import io.marchproxy.dataplane.proxy.WorkerIdle;
import io.marchproxy.dataplane.qos.ClassSettings;
import io.marchproxy.dataplane.qos.PriorityClass;
import io.marchproxy.dataplane.qos.QosSettings;

import java.time.Duration;
import java.util.Locale;

/**
 * The node's {@code dataplane:} settings ({@code application.yaml}, each key overridable from the environment:
 * {@code DATAPLANE_CORES=2}, {@code DATAPLANE_QOS_LINKMBPS=1000}): the RX queue served, where the worker runs and how
 * it idles, and QoS (on or off, the interfaces' egress rate, the classes' weights, delay bounds and DSCPs, the
 * class of services without a policy, queue sizes).
 *
 * @param queue  the RX queue served on both interfaces ({@code dataplane.queue}, default 0)
 * @param cores  {@code dataplane.cores}: {@code auto} (the front interface's NUMA node), {@code none} or a CPU list
 * @param idle   {@code dataplane.idle}: {@code poll}, {@code busy-spin}, {@code yielding} or {@code backoff}
 * @param pollMs {@code dataplane.pollms}: the longest the worker sleeps in {@code poll()} when idling with {@code poll}
 */
public record DataplaneSettings(int queue, CpuPolicy cores, WorkerIdle idle, int pollMs, QosSettings qos)
{
    /** What a node runs with when nothing is configured. */
    public static final DataplaneSettings DEFAULTS = new DataplaneSettings(0, CpuPolicy.AUTO, WorkerIdle.POLL, 1,
        QosSettings.DEFAULTS);

    /** Reads {@code dataplane} from {@code root}; a bad value throws with the key's name and what it takes. */
    public static DataplaneSettings fromConfig(final Config root)
    {
        final Config d = root.get("dataplane");
        final int queue = integer(d.get("queue"), DEFAULTS.queue(), 0, 255);
        final CpuPolicy cores = parse(d.get("cores"), DEFAULTS.cores(), CpuPolicy::parse);
        final WorkerIdle idle = parse(d.get("idle"), DEFAULTS.idle(), WorkerIdle::parse);
        final int pollMs = integer(d.get("pollms"), DEFAULTS.pollMs(), 0, 1000);
        return new DataplaneSettings(queue, cores, idle, pollMs, qos(d.get("qos")));
    }

    private static QosSettings qos(final Config q)
    {
        final QosSettings defaults = QosSettings.DEFAULTS;
        QosSettings qos = defaults.withEnabled(q.get("enabled").asBoolean().orElse(defaults.enabled()))
            .withDefaultClass(parse(q.get("defaultclass"), defaults.defaultClass(), PriorityClass::parse))
            .withLink(integer(q.get("linkmbps"), 0, 0, 10_000_000) * 1_000_000L,
                integer(q.get("linkburstkb"), defaults.linkBurstBytes() / 1024, 2, 1_048_576) * 1024)
            .withQueues(powerOfTwo(q.get("queueframes"), defaults.queueFrames()),
                integer(q.get("shaperframes"), defaults.shaperFrames(), 1, 1 << 20));
        for (final PriorityClass c : PriorityClass.values())
        {
            final Config k = q.get(c.name().toLowerCase(Locale.ROOT));
            final ClassSettings base = defaults.of(c);
            final int weight = integer(k.get("weight"), base.weight(), 1, 1000);
            final int maxDelayMs = integer(k.get("maxdelayms"), (int)base.maxDelay().toMillis(), 1, 1000);
            final int dscp = integer(k.get("dscp"), base.dscp(), 0, 63);
            qos = qos.withClass(c, new ClassSettings(weight, Duration.ofMillis(maxDelayMs), dscp));
        }
        return qos;
    }

    /** {@code base} with these settings. */
    public ProxySettings applyTo(final ProxySettings base)
    {
        return base.withWorker(queue, cores, idle, pollMs).withQos(qos);
    }

    private interface Parser<T>
    {
        T parse(String text);
    }

    private static <T> T parse(final Config c, final T fallback, final Parser<T> parser)
    {
        final String text = c.asString().map(String::strip).orElse("");
        if (text.isEmpty())
        {
            return fallback;
        }
        try
        {
            return parser.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(c.key() + ": " + ex.getMessage(), ex);
        }
    }

    private static int integer(final Config c, final int fallback, final int min, final int max)
    {
        final Integer value = parse(c, null, text ->
        {
            try
            {
                return Integer.valueOf(text);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("a whole number " + min + ".." + max + ", not '" + text + "'");
            }
        });
        if (value == null)
        {
            return fallback;
        }
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(c.key() + ": a whole number " + min + ".." + max + ", not " + value);
        }
        return value;
    }

    private static int powerOfTwo(final Config c, final int fallback)
    {
        final int value = integer(c, fallback, 2, 65_536);
        if (Integer.bitCount(value) != 1)
        {
            throw new IllegalArgumentException(c.key() + ": a power of two (256, 512, ...), not " + value);
        }
        return value;
    }

    @Override
    public String toString()
    {
        return "queue " + queue + ", cores " + cores + ", idle " + idle.configName() + (idle == WorkerIdle.POLL
            ? " (" + pollMs + " ms)" : "") + ", QoS " + (qos.enabled() ? "on" + (qos.linkBitsPerSecond() > 0
            ? ", links " + qos.linkBitsPerSecond() / 1_000_000 + " Mbit/s" : "") + ", unpoliced services in "
            + qos.defaultClass() : "off");
    }
}
