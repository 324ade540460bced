package io.marchproxy.node;

import io.marchproxy.dataplane.bpf.XdpMode;
import io.marchproxy.dataplane.proxy.ProxySettings;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node's options: flow offload's size, on by default, off with 0, bounded, and said so when wrong (the command
 * line's defaults and messages are MarchproxyCommandTest's).
 */
class NodeOptionsTest
{
    private static NodeOptions options(final int offloadFlows)
    {
        return new NodeOptions(NodeOptions.DEFAULT_CLUSTER, "a", "b", null, XdpMode.DRV,
            ProxySettings.DEFAULT_SNAT_PORTS, offloadFlows, 0, NodeOptions.DEFAULT_RATE);
    }

    @Test
    void offloadFlowsTakesZeroForOff()
    {
        assertEquals(0, options(0).offloadFlows());
        assertEquals(100, options(100).offloadFlows());
        assertEquals(NodeOptions.MAX_OFFLOAD_FLOWS, options(NodeOptions.MAX_OFFLOAD_FLOWS).offloadFlows());
    }

    @Test
    void aBadOffloadFlowsValueIsExplained()
    {
        final IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
            () -> options(NodeOptions.MAX_OFFLOAD_FLOWS + 1));
        assertTrue(tooMany.getMessage().contains("--offload-flows must be 0.." + NodeOptions.MAX_OFFLOAD_FLOWS),
            tooMany.getMessage());
        assertThrows(IllegalArgumentException.class, () -> options(-1));
    }
}
