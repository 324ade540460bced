package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.ThreadAllocation;
import io.marchproxy.dataplane.acl.AccessAction;
import io.marchproxy.dataplane.balance.Backend;
import io.marchproxy.dataplane.balance.BalancingAlgorithm;
import io.marchproxy.dataplane.conntrack.FlowTimeouts;
import io.marchproxy.dataplane.counter.LatencyBuckets;
import io.marchproxy.dataplane.counter.LatencyHistogram;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.net.PortRange;
import io.marchproxy.dataplane.packet.FrameBuilder;
import io.marchproxy.dataplane.qos.QosSettings;
import io.marchproxy.dataplane.xsk.Packet;
import io.marchproxy.dataplane.xsk.Umem;
import io.marchproxy.dataplane.xsk.UmemPackets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-service latency through the real pipeline, without sockets: frames written into a UMEM are handed to the
 * client side's rewriter as the forwarder would, and {@link ProxyPipeline#housekeeping} closes each turn. Each service's
 * distribution gets the turn's duration once per frame of it the turn forwarded (the node-wide one once per frame of
 * any service); a service that stays keeps its distribution across a configuration change, a new one starts empty, a
 * removed one is no more reported; and once warm, counting and recording allocate nothing.
 */
class ServiceLatencyTest
{
    private static final long FRONT_MAC = 0x02_00_00_00_01_01L;
    private static final long BACK_MAC = 0x02_00_00_00_02_01L;
    private static final long CLIENT_MAC = 0x02_00_00_00_01_0AL;
    private static final long BACKEND_MAC = 0x02_00_00_00_02_0BL;
    private static final IpAddress VIP = IpAddress.parse("10.215.0.1");
    private static final IpAddress BACKEND = IpAddress.parse("10.214.0.11");
    private static final IpAddress SNAT = IpAddress.parse("10.214.0.1");
    private static final int FRAME_SIZE = 2048;

    private final LatencyHistogram nodeWide = new LatencyHistogram();
    private Umem umem;
    private ProxyPipeline pipeline;
    private long now = 1_000_000_000L;

    private static ProxyService udp(final int index, final String name, final int port)
    {
        return new ProxyService(index, name, VIP, L4Protocol.UDP, PortRange.of(port), BalancingAlgorithm.ROUND_ROBIN,
            List.of(new Backend(BACKEND, 5000 + port, 1, true)), null, false);
    }

    private static CompiledConfig compile(final long version, final ProxyStatistics previous,
        final ProxyService... services)
    {
        return new CompiledConfig(new ProxyConfig(version, List.of(services), List.of(), AccessAction.ALLOW), previous,
            QosSettings.OFF, version);
    }

    /** The one backend of every service of {@code c} has a MAC and is healthy. */
    private static BackendLinks links(final CompiledConfig c)
    {
        final int n = c.maxServiceIndex() + 1;
        final long[][] macs = new long[n][];
        final boolean[][] healthy = new boolean[n][];
        final IpAddress[][] addresses = new IpAddress[n][];
        for (final ProxyService s : c.source().services())
        {
            macs[s.index()] = new long[]{BACKEND_MAC};
            healthy[s.index()] = new boolean[]{true};
            addresses[s.index()] = new IpAddress[]{BACKEND};
        }
        return new BackendLinks(c, macs, healthy, addresses);
    }

    /** A client's datagram to a service's port, written into UMEM frame {@code slot}, and its pristine copy. */
    private final class Frame
    {
        final Packet packet;
        final MemorySegment pristine;
        final long address;

        Frame(final int slot, final int clientPort, final int servicePort)
        {
            final byte[] bytes = new FrameBuilder().macs(CLIENT_MAC, FRONT_MAC).addresses("10.213.0.11", "10.215.0.1")
                .udp(clientPort, servicePort).payload(32).frame();
            pristine = MemorySegment.ofArray(bytes);
            address = (long)slot * FRAME_SIZE + 256;
            packet = UmemPackets.at(umem, address, bytes.length);
        }

        /** Hands the frame, as received, to the client side: true when it was forwarded. */
        boolean receive()
        {
            MemorySegment.copy(pristine, 0, umem.segment(), address, pristine.byteSize());
            return pipeline.clientSide().rewrite(packet);
        }
    }

    @BeforeEach
    void setUp()
    {
        umem = Umem.allocate(8, FRAME_SIZE, 0);
    }

    @AfterEach
    void tearDown()
    {
        if (pipeline != null)
        {
            pipeline.close();
        }
        umem.close();
    }

    private void start(final CompiledConfig initial)
    {
        pipeline = new ProxyPipeline(initial, SNAT, null, new PortRange(20000, 29999), FRONT_MAC, BACK_MAC, 64,
            FlowTimeouts.DEFAULTS, QosSettings.OFF, null, null, FlowEvents.NONE, nodeWide.newWriter(), null, 0);
        pipeline.offer(links(initial));
        pipeline.housekeeping(now);
    }

    /** One turn of {@code took} nanoseconds receiving {@code counts[i]} times {@code frames[i]}. */
    private void turn(final long took, final Frame[] frames, final int[] counts)
    {
        for (int i = 0; i < frames.length; i++)
        {
            for (int n = 0; n < counts[i]; n++)
            {
                frames[i].receive();
            }
        }
        now += took;
        pipeline.housekeeping(now);
    }

    @Test
    void eachServiceGetsItsFramesTurnsAcrossAConfigurationChange()
    {
        final CompiledConfig first = compile(1, null, udp(0, "dns", 53), udp(1, "web", 80));
        start(first);
        final Frame dns = new Frame(0, 40000, 53);
        final Frame web = new Frame(1, 40001, 80);
        final Frame ntp = new Frame(2, 40002, 123);
        assertTrue(dns.receive() && web.receive(), "both services forward");
        assertFalse(ntp.receive(), "no service on port 123 yet");
        now += 1_000;
        pipeline.housekeeping(now);

        turn(10_000, new Frame[]{dns, web}, new int[]{3, 5});
        turn(40_000, new Frame[]{web}, new int[]{2});
        final ProxyStatistics before = pipeline.liveConfig().statistics();
        final LatencyBuckets.Snapshot dns1 = before.latency(0);
        final LatencyBuckets.Snapshot web1 = before.latency(1);
        assertEquals(1 + 3, dns1.count(), "the first frame's turn and three frames of 10 us");
        assertEquals(1 + 5 + 2, web1.count());
        assertEquals(1_000 + 3 * 10_000, dns1.sumNanos());
        assertEquals(1_000 + 5 * 10_000 + 2 * 40_000, web1.sumNanos());
        assertEquals(3 + 3 + 5 + 2, nodeWide.snapshot().getTotalCount(), "node-wide: every frame, dropped too");
        assertNear(10_000, dns1.valueAtQuantile(0.5));
        assertNear(40_000, web1.valueAtQuantile(0.99));

        // web goes, ntp comes, dns stays
        final CompiledConfig second = compile(2, before, udp(0, "dns", 53), udp(2, "ntp", 123));
        pipeline.offer(second);
        pipeline.offer(links(second));
        pipeline.housekeeping(now);
        assertEquals(second, pipeline.liveConfig());
        assertTrue(ntp.receive(), "ntp forwards");
        now += 1_000_000;
        pipeline.housekeeping(now);
        // web's open flow still brings frames: no backend link under the new configuration, dropped, recorded nowhere
        turn(100_000, new Frame[]{dns, ntp, web}, new int[]{4, 4, 2});

        final ProxyStatistics after = second.statistics();
        final LatencyBuckets.Snapshot dns2 = after.latency(0);
        assertEquals(4 + 4, dns2.count(), "dns kept its distribution: four before, four after");
        assertEquals(1_000 + 3 * 10_000 + 4 * 100_000, dns2.sumNanos());
        assertNear(100_000, dns2.valueAtQuantile(0.99));
        final LatencyBuckets.Snapshot ntp2 = after.latency(2);
        assertEquals(1 + 4, ntp2.count(), "ntp starts empty");
        assertEquals(1_000_000 + 4 * 100_000, ntp2.sumNanos());
        assertEquals(0, after.latency(1).count(), "web is gone from the statistics");
        assertEquals(web1.count(), before.latency(1).count(), "and its late frames went nowhere");
    }

    @Test
    void countingAndRecordingAllocateNothingOnceWarm()
    {
        final CompiledConfig config = compile(1, null, udp(0, "dns", 53), udp(1, "web", 80), udp(2, "ntp", 123));
        start(config);
        final Frame[] frames = {new Frame(0, 40000, 53), new Frame(1, 40001, 80), new Frame(2, 40002, 123),
            new Frame(3, 40003, 9)};
        final int[] counts = {2, 1, 3, 1};
        final Runnable turns = () ->
        {
            for (int t = 0; t < 20_000; t++)
            {
                counts[t & 3] = 1 + (t & 7);
                turn(5_000 + (t & 1023), frames, counts);
            }
        };
        for (int warm = 0; warm < 10; warm++)
        {
            turns.run();
        }
        assertEquals(0, ThreadAllocation.bytesAllocatedBy(turns),
            "bytes allocated over 20,000 turns of frames of three services and a stray");
        final ProxyStatistics statistics = config.statistics();
        long perService = 0;
        for (int s = 0; s < 3; s++)
        {
            final long count = statistics.latency(s).count();
            assertTrue(count > 11 * 20_000, "service " + s + ": " + count);
            perService += count;
        }
        assertTrue(nodeWide.snapshot().getTotalCount() > perService, "the stray frames count only node-wide");
    }

    /** Within one bucket of the distribution (a quarter of its octave). */
    private static void assertNear(final long expected, final double actual)
    {
        assertTrue(Math.abs(actual - expected) <= expected / 4.0, actual + " ns, expected about " + expected);
    }
}
