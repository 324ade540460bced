package io.marchproxy.perflab;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The xsk_ref command line, parsed the same way, and the test frame, built the same way. */
class ScenarioOptionsTest
{
    @Test
    void defaultsAndTheHarnessCommandLine()
    {
        final ScenarioOptions o = ScenarioOptions.parse(new String[] {"--scenario", "l2fwd", "--ifname", "mpd0",
            "--ifname2", "mpd1", "--queue", "0", "--seconds", "3", "--warmup", "1", "--start-timeout", "15",
            "--batch", "32", "--ring", "1024", "--frames", "4096", "--frame-size", "2048", "--mode", "skb",
            "--need-wakeup", "0", "--frame-len", "60", "--bpf-object", "/x.o", "--tx-budget", "64", "--api", "socket"});
        assertEquals("l2fwd", o.scenario());
        assertEquals("mpd1", o.ifname2());
        assertEquals(3.0, o.seconds());
        assertEquals(32, o.batch());
        assertEquals(1024, o.ring());
        assertEquals(2048, o.frameSize());
        assertEquals(false, o.drvMode());
        assertEquals(false, o.needWakeup());
        assertEquals(64, o.txBudget());
        assertTrue(o.socketApi());

        final ScenarioOptions d = ScenarioOptions.parse(new String[] {"--scenario", "rxdrop", "--ifname", "mpd0",
            "--ifname2", "mpd1"});
        assertEquals("mpd0", d.ifname2(), "ifname2 only counts for l2fwd");
        assertEquals(64, d.batch());
        assertEquals(2048, d.ring());
        assertEquals(4096, d.frames());
        assertEquals(60, d.frameLen());
        assertTrue(d.drvMode() && d.needWakeup());
        assertEquals(0, d.txBudget(), "the kernel's TX budget");
        assertEquals(false, d.socketApi(), "the ring loops of xsk_ref");
        assertNull(ScenarioOptions.parse(new String[] {"--help"}));
    }

    @Test
    void badCommandLinesAreNamed()
    {
        assertMessage("unknown scenario 'x'", "--scenario", "x", "--ifname", "a");
        assertMessage("must be powers of two", "--scenario", "rxdrop", "--ifname", "a", "--ring", "1000");
        assertMessage("txonly needs", "--scenario", "txonly", "--ifname", "a");
        assertMessage("bad value for --batch", "--scenario", "rxdrop", "--ifname", "a", "--batch", "0");
        assertMessage("needs a value", "--scenario");
        assertMessage("unknown api 'x' (rings or socket)", "--scenario", "rxdrop", "--ifname", "a", "--api", "x");
        assertMessage("bad MAC address", "--scenario", "txonly", "--ifname", "a", "--dst-mac", "1:2:3");
        assertMessage("bad IPv4 address", "--scenario", "txonly", "--ifname", "a", "--src-ip", "10.1.2");
    }

    @Test
    void testFrameHasAValidIpv4Header()
    {
        final ScenarioOptions o = ScenarioOptions.parse(new String[] {"--scenario", "txonly", "--ifname", "a",
            "--dst-mac", "02:00:00:00:00:02", "--src-ip", "10.213.1.1", "--dst-ip", "10.213.1.2"});
        assertArrayEquals(new byte[] {10, (byte)213, 1, 2}, o.dstIp());
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment seg = arena.allocate(4096);
            final byte[] src = {2, 0, 0, 0, 0, 1};
            XskScenario.buildFrame(seg, 128, 60, o.dstMac(), src, o.srcIp(), o.dstIp());
            final ValueLayout.OfShort net = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
            int sum = 0;
            for (int i = 0; i < 20; i += 2)
            {
                sum += seg.get(net, 128 + 14 + i) & 0xffff;
            }
            sum = (sum & 0xffff) + (sum >>> 16);
            assertEquals(0xffff, sum, "IPv4 header checksum verifies");
            assertEquals(46, seg.get(net, 128 + 16) & 0xffff, "IPv4 total length");
            assertEquals(26, seg.get(net, 128 + 38) & 0xffff, "UDP length");
            assertEquals(2, seg.get(ValueLayout.JAVA_BYTE, 128 + 5), "destination MAC");
        }
    }

    @Test
    void swapMacsExchangesTheEthernetAddressesOnly()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment seg = arena.allocate(64);
            final byte[] frame = {1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16, 0x08, 0x00, 0x45, 0x00};
            MemorySegment.copy(frame, 0, seg, ValueLayout.JAVA_BYTE, 3, frame.length);
            XskScenario.swapMacs(seg, 3);
            assertArrayEquals(new byte[] {11, 12, 13, 14, 15, 16, 1, 2, 3, 4, 5, 6, 0x08, 0x00, 0x45, 0x00},
                seg.asSlice(3, frame.length).toArray(ValueLayout.JAVA_BYTE));
            assertEquals(0, seg.get(ValueLayout.JAVA_BYTE, 2));
            assertEquals(0, seg.get(ValueLayout.JAVA_BYTE, 3 + frame.length));
        }
    }

    private static void assertMessage(final String part, final String... args)
    {
        final ScenarioOptions.UsageException ex =
            assertThrows(ScenarioOptions.UsageException.class, () -> ScenarioOptions.parse(args));
        assertTrue(ex.getMessage().contains(part), ex.getMessage());
    }
}
