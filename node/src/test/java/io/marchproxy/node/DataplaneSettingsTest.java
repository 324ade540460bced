package io.marchproxy.node;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.marchproxy.dataplane.cpu.CpuPolicy;
import io.marchproxy.dataplane.cpu.CpuSet;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.proxy.ProxySettings;
import io.marchproxy.dataplane.proxy.WorkerIdle;
import io.marchproxy.dataplane.qos.ClassSettings;
import io.marchproxy.dataplane.qos.PriorityClass;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code dataplane:} section: the packaged defaults, every key read, and bad values named. */
class DataplaneSettingsTest
{
    private static Config config(final Map<String, String> values)
    {
        return Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
            .addSource(ConfigSources.create(values)).build();
    }

    @Test
    void thePackagedApplicationYamlGivesTheDefaults()
    {
        final Config packaged = Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
            .addSource(ConfigSources.classpath("application.yaml")).build();
        assertEquals(DataplaneSettings.DEFAULTS, DataplaneSettings.fromConfig(packaged));
        assertEquals(DataplaneSettings.DEFAULTS, DataplaneSettings.fromConfig(config(Map.of())));
    }

    @Test
    void everyKeyIsRead()
    {
        final DataplaneSettings s = DataplaneSettings.fromConfig(config(Map.ofEntries(
            Map.entry("dataplane.queue", "3"), Map.entry("dataplane.cores", "1"),
            Map.entry("dataplane.idle", "busy-spin"), Map.entry("dataplane.pollms", "5"),
            Map.entry("dataplane.qos.enabled", "false"), Map.entry("dataplane.qos.linkmbps", "100"),
            Map.entry("dataplane.qos.linkburstkb", "64"), Map.entry("dataplane.qos.defaultclass", "p3"),
            Map.entry("dataplane.qos.queueframes", "512"), Map.entry("dataplane.qos.shaperframes", "100"),
            Map.entry("dataplane.qos.p0.weight", "70"), Map.entry("dataplane.qos.p0.maxdelayms", "2"),
            Map.entry("dataplane.qos.p0.dscp", "40"))));
        assertEquals(3, s.queue());
        assertEquals(CpuPolicy.of(CpuSet.of(1)), s.cores());
        assertEquals(WorkerIdle.BUSY_SPIN, s.idle());
        assertEquals(5, s.pollMs());
        assertFalse(s.qos().enabled());
        assertEquals(100_000_000L, s.qos().linkBitsPerSecond());
        assertEquals(64 * 1024, s.qos().linkBurstBytes());
        assertEquals(PriorityClass.P3, s.qos().defaultClass());
        assertEquals(512, s.qos().queueFrames());
        assertEquals(100, s.qos().shaperFrames());
        assertEquals(new ClassSettings(70, Duration.ofMillis(2), 40), s.qos().of(PriorityClass.P0));
        assertEquals(ClassSettings.defaults(PriorityClass.P1), s.qos().of(PriorityClass.P1));

        final ProxySettings applied = s.applyTo(ProxySettings.of("a", "b", IpAddress.parse("10.0.0.1"), null));
        assertEquals(3, applied.queue());
        assertEquals(WorkerIdle.BUSY_SPIN, applied.idle());
        assertEquals(5, applied.pollTimeoutMs());
        assertEquals(s.qos(), applied.qos());
    }

    @Test
    void aBadValueNamesItsKey()
    {
        for (final Map.Entry<String, String> bad : Map.of(
            "dataplane.cores", "sometimes", "dataplane.idle", "nap", "dataplane.queue", "-1",
            "dataplane.qos.defaultclass", "P7", "dataplane.qos.p2.dscp", "64", "dataplane.qos.queueframes", "300",
            "dataplane.qos.p3.maxdelayms", "5000", "dataplane.pollms", "x").entrySet())
        {
            final Exception ex = assertThrows(IllegalArgumentException.class,
                () -> DataplaneSettings.fromConfig(config(Map.of(bad.getKey(), bad.getValue()))), bad.toString());
            assertTrue(ex.getMessage().contains(bad.getKey().substring(bad.getKey().lastIndexOf('.') + 1)),
                ex.getMessage());
        }
    }
}
