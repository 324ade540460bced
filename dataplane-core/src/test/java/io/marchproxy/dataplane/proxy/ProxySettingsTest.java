package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.qos.QosSettings;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@link ProxySettings} refuses before anything is opened, with the message naming the value. */
class ProxySettingsTest
{
    private static final ProxySettings DEFAULTS = ProxySettings.of("front0", "back0", IpAddress.parse("10.0.0.1"), null);

    private static ProxySettings withBatch(final int batch, final int ringSize)
    {
        final ProxySettings d = DEFAULTS;
        return new ProxySettings(d.front(), d.back(), d.queue(), d.mode(), d.snat4(), d.snat6(), d.snatPorts(),
            d.flowsPerFamily(), d.frames(), d.frameSize(), ringSize, batch, d.pollTimeoutMs(), d.timeouts(), d.cores(),
            d.idle(), QosSettings.OFF, d.offloadFlows());
    }

    @Test
    void aBatchOfOneToTheRingSizeIsTaken()
    {
        assertEquals(64, DEFAULTS.batch());
        assertEquals(1, withBatch(1, 2048).batch());
        assertEquals(2048, withBatch(2048, 2048).batch());
    }

    @Test
    void aBatchOutsideOneToTheRingSizeIsRefused()
    {
        for (final int batch : new int[] {0, -1, 2049})
        {
            final IllegalArgumentException ex =
                assertThrows(IllegalArgumentException.class, () -> withBatch(batch, 2048));
            assertTrue(ex.getMessage().contains("batch must be 1..the ring size (2048), not " + batch),
                ex.getMessage());
        }
    }

    @Test
    void tooFewFramesForTheRingsAndTheBatchAreRefused()
    {
        final ProxySettings d = DEFAULTS;
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new ProxySettings(d.front(), d.back(), d.queue(), d.mode(), d.snat4(), d.snat6(), d.snatPorts(),
                d.flowsPerFamily(), 1024, d.frameSize(), 2048, 64, d.pollTimeoutMs(), d.timeouts(), d.cores(), d.idle(),
                QosSettings.OFF, d.offloadFlows()));
        assertTrue(ex.getMessage().contains("give at least " + (2 * 2048 + 2 * 64)), ex.getMessage());
    }
}
