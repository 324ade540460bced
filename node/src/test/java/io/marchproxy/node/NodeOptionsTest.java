package io.marchproxy.node;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The node's command line: flow offload's size, on by default, off with 0, bounded, and said so when wrong. */
class NodeOptionsTest
{
    @Test
    void offloadFlowsDefaultsOnAndTakesZeroForOff()
    {
        assertEquals(NodeOptions.DEFAULT_OFFLOAD_FLOWS, NodeOptions.parse(new String[0]).offloadFlows());
        assertEquals(0, NodeOptions.parse(new String[]{"--offload-flows", "0"}).offloadFlows());
        assertEquals(100, NodeOptions.parse(new String[]{"--offload-flows", "100", "--front", "a", "--back", "b"})
            .offloadFlows());
    }

    @Test
    void aBadOffloadFlowsValueIsExplained()
    {
        final IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
            () -> NodeOptions.parse(new String[]{"--offload-flows", String.valueOf(NodeOptions.MAX_OFFLOAD_FLOWS + 1)}));
        assertTrue(tooMany.getMessage().contains("--offload-flows must be 0.." + NodeOptions.MAX_OFFLOAD_FLOWS),
            tooMany.getMessage());
        final IllegalArgumentException word = assertThrows(IllegalArgumentException.class,
            () -> NodeOptions.parse(new String[]{"--offload-flows", "many"}));
        assertTrue(word.getMessage().contains("needs a number"), word.getMessage());
        assertTrue(NodeOptions.USAGE.contains("--offload-flows"));
    }
}
