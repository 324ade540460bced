package io.marchproxy.dataplane.bpf;

import io.marchproxy.dataplane.nat.NatRewriter;
import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.packet.FrameBuilder;
import io.marchproxy.dataplane.packet.PacketParser;
import io.marchproxy.dataplane.packet.ParsedPacket;
import io.marchproxy.dataplane.packet.TcpHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static io.marchproxy.dataplane.packet.FrameBuilder.randomAddress;
import static io.marchproxy.dataplane.packet.FrameBuilder.tuple;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The XDP program's forwarding of offloaded flows, run by the kernel on frames given to it ({@code BPF_PROG_TEST_RUN},
 * no interface needed; root or CAP_BPF), against the Java path's own rewrite ({@link NatRewriter#forward}) of the
 * same frame: for thousands of random flows (IPv4 and IPv6, TCP and UDP, VLAN tags, IPv4 options, UDP without
 * checksum, TTLs down to 0) the frames the two produce are equal byte for byte, each forwarded frame is counted on its
 * entry, and what the program must not forward (a TTL about to expire, a SYN, FIN or RST) it leaves untouched, a
 * SYN, FIN or RST handing the entry back.
 */
class L4FlowRewriteTest
{
    private static final int LOOPBACK = 1;

    private static L4Program program;
    private static L4FlowSlots flows;
    private static XdpTestRun xdp;
    private static long now;

    private final PacketParser parser = new PacketParser();
    private final ParsedPacket parsed = new ParsedPacket();

    @BeforeAll
    static void load()
    {
        program = L4Program.load(1024);
        // Test runs happen in this namespace: its loopback stands for both egress interfaces.
        program.egress(0, LOOPBACK);
        program.egress(1, LOOPBACK);
        flows = program.mapFlowSlots();
        xdp = new XdpTestRun(program.programFd());
    }

    @AfterAll
    static void unload()
    {
        if (flows != null)
        {
            flows.close();
        }
        if (program != null)
        {
            program.close();
        }
        if (xdp != null)
        {
            xdp.close();
        }
    }

    @Test
    void forwardsOffloadedFramesExactlyAsTheJavaPathRewritesThem()
    {
        final SplittableRandom random = new SplittableRandom(1212);
        int forwarded = 0;
        for (int round = 0; round < 3_000; round++)
        {
            final boolean v6 = random.nextBoolean();
            final boolean tcp = random.nextBoolean();
            final String[] from = {randomAddress(random, v6), randomAddress(random, v6)};
            final int[] fromPorts = {random.nextInt(1, 65536), random.nextInt(1, 65536)};
            final FlowTuple key = tuple(tcp, from, fromPorts);
            final FlowTuple to = tuple(tcp, new String[] {randomAddress(random, v6), randomAddress(random, v6)},
                new int[] {random.nextInt(1, 65536), random.nextInt(1, 65536)});
            final FrameBuilder builder = new FrameBuilder().addresses(from[0], from[1]).payload(random.nextInt(200))
                .ttl(random.nextInt(8) == 0 ? random.nextInt(3) : random.nextInt(2, 256));
            final int vlans = random.nextInt(3);
            for (int i = 0; i < vlans; i++)
            {
                builder.vlan(i == 0 && vlans == 2 ? 0x88A8 : 0x8100, 10 + i);
            }
            if (!v6 && random.nextInt(4) == 0)
            {
                builder.ipv4Options(new byte[4 * random.nextInt(1, 10)]);
            }
            final int flags = random.nextInt(6) == 0 ? ending(random) : TcpHeader.ACK | TcpHeader.PSH;
            if (tcp)
            {
                builder.tcp(fromPorts[0], fromPorts[1], flags);
            }
            else
            {
                builder.udp(fromPorts[0], fromPorts[1]);
                if (!v6 && random.nextInt(4) == 0)
                {
                    builder.udpWithoutChecksum();
                }
            }
            final byte[] frame = builder.frame();
            final long sourceMac = random.nextLong() & 0xFFFF_FFFF_FFFFL;
            final long destinationMac = random.nextLong() & 0xFFFF_FFFF_FFFFL;
            final int egress = random.nextInt(2);
            final int slot = flows.insert(key, to, sourceMac, destinationMac, egress);
            assertTrue(slot != L4FlowSlots.NO_SLOT);

            final byte[] java = frame.clone();
            parser.parse(MemorySegment.ofArray(java), 0, java.length, parsed);
            final boolean ending = tcp && (flags & (TcpHeader.SYN | TcpHeader.FIN | TcpHeader.RST)) != 0;
            final boolean javaForwards = !ending && NatRewriter.forward(parsed, to, sourceMac, destinationMac);

            final int action = xdp.run(frame);
            final byte[] rewritten = xdp.output();
            final int round_ = round;
            if (javaForwards)
            {
                assertEquals(XdpTestRun.XDP_REDIRECT, action, () -> "round " + round_);
                assertArrayEquals(java, rewritten, () -> "round " + round_ + "\njava " + FrameBuilder.hex(java)
                    + "\nxdp  " + FrameBuilder.hex(rewritten));
                forwarded++;
            }
            else
            {
                assertEquals(XdpTestRun.XDP_PASS, action, () -> "round " + round_ + ": left to the ordinary path");
                assertArrayEquals(frame, rewritten, () -> "round " + round_ + ": untouched");
            }
            assertEquals(javaForwards ? 1 : 0, flows.packets(slot), () -> "round " + round_);
            assertEquals(javaForwards ? frame.length : 0, flows.bytes(slot));
            assertEquals(javaForwards, flows.lastSeen(slot) > 0, "the first frame is stamped");
            assertEquals(ending ? L4FlowSlots.STATE_HANDED_BACK : L4FlowSlots.STATE_FORWARDING, flows.state(slot));
            assertEquals(key.toString(), flows.key(slot, new FlowTuple()).toString());
            release(slot);
        }
        assertTrue(forwarded > 2_000, "most rounds forward: " + forwarded);
        assertTrue(program.counter(L4Program.Counter.FLOW_FORWARDED) >= forwarded);
        assertTrue(program.counter(L4Program.Counter.FLOW_HANDED_BACK) > 0);
    }

    @Test
    void aHandedBackEntryForwardsNothingMore()
    {
        final FlowTuple key = tuple(true, new String[] {"10.1.0.1", "10.2.0.1"}, new int[] {4000, 80});
        final FlowTuple to = tuple(true, new String[] {"10.3.0.1", "10.4.0.1"}, new int[] {20000, 8080});
        final int slot = flows.insert(key, to, 1, 2, 0);
        final byte[] fin = new FrameBuilder().addresses("10.1.0.1", "10.2.0.1")
            .tcp(4000, 80, TcpHeader.FIN | TcpHeader.ACK).frame();
        final byte[] data = new FrameBuilder().addresses("10.1.0.1", "10.2.0.1")
            .tcp(4000, 80, TcpHeader.ACK).payload(10).frame();
        assertEquals(XdpTestRun.XDP_REDIRECT, xdp.run(data));
        assertEquals(XdpTestRun.XDP_PASS, xdp.run(fin));
        assertEquals(XdpTestRun.XDP_PASS, xdp.run(data), "after the FIN, frames of the direction go to user space");
        assertEquals(1, flows.packets(slot));
        assertEquals(L4FlowSlots.STATE_HANDED_BACK, flows.state(slot));
        release(slot);
        assertEquals(XdpTestRun.XDP_PASS, xdp.run(data), "released: nothing forwarded");
    }

    /** Releases {@code slot} and lets its quarantine pass. */
    private static void release(final int slot)
    {
        flows.release(slot, now);
        now += L4FlowSlots.QUARANTINE_NANOS;
        flows.drain(now, null);
    }

    @Test
    void aKeyTakesOneOfItsProbedSlotsAndReleasedSlotsWaitOutTheirQuarantine()
    {
        try (L4Program small = L4Program.load(L4FlowSlots.PROBES); L4FlowSlots slots = small.mapFlowSlots();
             XdpTestRun run = new XdpTestRun(small.programFd()))
        {
            small.egress(0, LOOPBACK);
            final FlowTuple to = tuple(false, new String[] {"10.7.0.1", "10.6.0.1"}, new int[] {2000, 5353});
            final int[] taken = new int[L4FlowSlots.PROBES];
            for (int i = 0; i < taken.length; i++)
            {
                taken[i] = slots.insert(tuple(false, new String[] {"10.9.0." + (i + 1), "10.8.0.1"},
                    new int[] {1000, 53}), to, 1, 2, 0);
                assertTrue(taken[i] != L4FlowSlots.NO_SLOT);
            }
            final FlowTuple fifth = tuple(false, new String[] {"10.9.0.9", "10.8.0.1"}, new int[] {1000, 53});
            assertEquals(L4FlowSlots.NO_SLOT, slots.insert(fifth, to, 1, 2, 0), "every slot taken");
            final byte[] frame = new FrameBuilder().addresses("10.9.0.2", "10.8.0.1").udp(1000, 53).frame();
            assertEquals(XdpTestRun.XDP_REDIRECT, run.run(frame));
            slots.release(taken[1], 0);
            assertEquals(XdpTestRun.XDP_PASS, run.run(frame), "a released slot forwards nothing");
            final long[] late = new long[1];
            assertEquals(L4FlowSlots.NO_SLOT, slots.insert(fifth, to, 1, 2, 0), "still in quarantine");
            assertEquals(0, slots.drain(L4FlowSlots.QUARANTINE_NANOS - 1, (s, p, b) -> late[0] += p));
            assertEquals(1, slots.drain(L4FlowSlots.QUARANTINE_NANOS, (s, p, b) -> late[0] += p));
            assertEquals(0, late[0], "nothing forwarded after the release");
            assertEquals(taken[1], slots.insert(fifth, to, 1, 2, 0), "free again");
            assertEquals(L4FlowSlots.PROBES, slots.inUse());
        }
    }

    private static int ending(final SplittableRandom random)
    {
        return switch (random.nextInt(3))
        {
            case 0 -> TcpHeader.SYN | TcpHeader.ACK;
            case 1 -> TcpHeader.FIN | TcpHeader.ACK;
            default -> TcpHeader.RST;
        };
    }
}
