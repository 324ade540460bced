package io.marchproxy.perflab;

import io.marchproxy.dataplane.bpf.XdpMode;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.proxy.ProxySettings;
import io.marchproxy.dataplane.qos.QosSettings;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** LbScenario's command line as perf-lab/lib/lb.sh writes it, and what it makes of ProxySettings' defaults. */
class LbScenarioOptionsTest
{
    private static final IpAddress SNAT = IpAddress.parse("10.213.2.1");

    @Test
    void theHarnessCommandLineKeepsProxySettingsDefaults()
    {
        final LbScenario.Options o = LbScenario.Options.parse(new String[] {"--front", "mpd0", "--back", "mpd1",
            "--vip", "10.215.0.1", "--backend", "10.213.2.2", "--ports", "9,7", "--seconds", "5", "--warmup", "2",
            "--start-timeout", "15", "--mode", "drv", "--hold", "120"});
        assertEquals(List.of(9, 7), o.ports());
        assertEquals(IpAddress.parse("10.215.0.1"), o.vip());
        assertEquals(XdpMode.DRV, o.mode());
        assertEquals(120.0, o.hold());
        final ProxySettings defaults = ProxySettings.of("mpd0", "mpd1", SNAT, null);
        assertEquals(defaults, o.settings(SNAT), "no size given: ProxySettings.of as it is");
    }

    @Test
    void sizesReplaceTheDefaultsOneByOne()
    {
        final LbScenario.Options o = LbScenario.Options.parse(new String[] {"--vip", "10.215.0.1", "--backend",
            "10.213.2.2", "--ring", "256", "--frames", "8192", "--poll-ms", "5", "--mode", "skb"});
        final ProxySettings s = o.settings(SNAT);
        final ProxySettings d = ProxySettings.of("mpd0", "mpd1", SNAT, null);
        assertEquals(256, s.ringSize());
        assertEquals(8192, s.frames());
        assertEquals(5, s.pollTimeoutMs());
        assertEquals(XdpMode.SKB, s.mode());
        assertEquals(d.batch(), s.batch());
        assertEquals(d.frameSize(), s.frameSize());
        assertEquals(d.flowsPerFamily(), s.flowsPerFamily());
        assertEquals(List.of(9), o.ports(), "the throughput port alone by default");
        assertEquals(d.offloadFlows(), s.offloadFlows());
        assertEquals(false, o.offload(), "every frame through Java unless --offload 1");
        assertEquals(true, LbScenario.Options.parse(new String[] {"--vip", "10.215.0.1", "--backend", "10.213.2.2",
            "--offload", "1"}).offload());
        assertThrows(ScenarioOptions.UsageException.class, () -> LbScenario.Options.parse(new String[] {"--vip",
            "10.215.0.1", "--backend", "10.213.2.2", "--offload", "2"}), "0 or 1");
        assertEquals(d.qos(), s.qos(), "QoS on by default");
    }

    @Test
    void qosOffSendsStraightToTheRing()
    {
        final LbScenario.Options o = LbScenario.Options.parse(new String[] {"--vip", "10.215.0.1", "--backend",
            "10.213.2.2", "--qos", "off", "--frames", "4400"});
        assertEquals(QosSettings.OFF, o.settings(SNAT).qos());
        assertThrows(IllegalArgumentException.class, () -> LbScenario.Options.parse(new String[] {"--vip",
            "10.215.0.1", "--backend", "10.213.2.2", "--qos", "maybe"}));
    }

    @Test
    void badCommandLinesAreRefused()
    {
        assertNull(LbScenario.Options.parse(new String[] {"--help"}));
        assertThrows(IllegalArgumentException.class,
            () -> LbScenario.Options.parse(new String[] {"--backend", "10.213.2.2"}), "no VIP");
        assertThrows(IllegalArgumentException.class, () -> LbScenario.Options.parse(new String[] {"--vip",
            "10.215.0.1", "--backend", "10.213.2.2", "--ports", "9,9"}), "a port twice");
        assertThrows(IllegalArgumentException.class, () -> LbScenario.Options.parse(new String[] {"--vip",
            "fd00::1", "--backend", "10.213.2.2"}), "IPv4 only");
        assertThrows(ScenarioOptions.UsageException.class, () -> LbScenario.Options.parse(new String[] {"--vip",
            "10.215.0.1", "--backend", "10.213.2.2", "--seconds", "0"}), "seconds out of range");
    }
}
