package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.acl.AccessAction;
import io.marchproxy.dataplane.balance.Backend;
import io.marchproxy.dataplane.balance.BalancingAlgorithm;
import io.marchproxy.dataplane.bpf.L4FlowSlots;
import io.marchproxy.dataplane.bpf.L4Program;
import io.marchproxy.dataplane.bpf.XdpTestRun;
import io.marchproxy.dataplane.conntrack.ExpiredFlowHandler;
import io.marchproxy.dataplane.conntrack.FlowTable;
import io.marchproxy.dataplane.conntrack.FlowTimeouts;
import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.IpFamily;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.net.PortRange;
import io.marchproxy.dataplane.packet.FrameBuilder;
import io.marchproxy.dataplane.packet.IpProtocol;
import io.marchproxy.dataplane.packet.TcpHeader;
import io.marchproxy.dataplane.proxy.ProxyStatistics.ServiceCounter;
import io.marchproxy.dataplane.qos.PriorityClass;
import io.marchproxy.dataplane.qos.QosSettings;
import io.marchproxy.dataplane.qos.ServiceQos;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Flow offload's bookkeeping against the real XDP program and its flow slots, with frames run through the program by
 * the kernel ({@code BPF_PROG_TEST_RUN}; root or CAP_BPF) instead of an interface: a flow is written as two slots,
 * what the program forwards is folded once (no more, no less) into the flow's record and the proxy's statistics by
 * scans and by the recall, a FIN handed back is noticed even if its frame never reached Java, full
 * slots refuse whole flows (a half-written one is taken out), an idle offloaded flow stays while the program still
 * forwards for it, and none of it allocates once warm.
 */
class FlowOffloadTest
{
    private static final int LOOPBACK = 1;
    private static final long FRONT_MAC = 0x02_00_00_00_01_01L;
    private static final long BACK_MAC = 0x02_00_00_00_02_01L;
    private static final long CLIENT_MAC = 0x02_00_00_00_01_0AL;
    private static final long BACKEND_MAC = 0x02_00_00_00_02_0BL;
    private static final IpAddress VIP = IpAddress.parse("10.215.0.1");
    private static final IpAddress BACKEND = IpAddress.parse("10.214.0.11");
    private static final IpAddress SNAT = IpAddress.parse("10.214.0.1");

    private L4Program program;
    private L4FlowSlots slots;
    private XdpTestRun xdp;
    private FlowTable flows4;
    private FlowTable flows6;
    private Arena arena;
    private MemorySegment clientMacs4;
    private FlowOffload offload;
    private CompiledConfig config;
    private BackendLinks links;

    @BeforeEach
    void setUp()
    {
        setUp(64, 16);
    }

    private void setUp(final int slotCount, final int maxFlows)
    {
        tearDown();
        program = L4Program.load(slotCount);
        program.egress(FlowOffload.FRONT_EGRESS, LOOPBACK);
        program.egress(FlowOffload.BACK_EGRESS, LOOPBACK);
        xdp = new XdpTestRun(program.programFd());
        final FlowTimeouts timeouts = FlowTimeouts.of(Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofSeconds(1), Duration.ofSeconds(1));
        flows4 = new FlowTable(IpFamily.IPV4, 16, timeouts);
        flows6 = new FlowTable(IpFamily.IPV6, 16, timeouts);
        arena = Arena.ofShared();
        clientMacs4 = arena.allocate(16 * Long.BYTES, Long.BYTES);
        final MemorySegment clientMacs6 = arena.allocate(16 * Long.BYTES, Long.BYTES);
        slots = program.mapFlowSlots();
        offload = new FlowOffload(slots, maxFlows, flows4, flows6, clientMacs4, clientMacs6, FRONT_MAC, BACK_MAC);
        config = new CompiledConfig(new ProxyConfig(1, List.of(new ProxyService(0, "dns", VIP, L4Protocol.UDP,
            PortRange.of(53), BalancingAlgorithm.ROUND_ROBIN, List.of(new Backend(BACKEND, 5353, 1, true)), null,
            false), new ProxyService(1, "web", VIP, L4Protocol.TCP, PortRange.of(80), BalancingAlgorithm.ROUND_ROBIN,
            List.of(new Backend(BACKEND, 8080, 1, true)), null, false)), List.of(), AccessAction.ALLOW), null,
            QosSettings.DEFAULTS, 1);
        links = new BackendLinks(config, new long[][]{{BACKEND_MAC}, {BACKEND_MAC}}, new boolean[][]{{true}, {true}},
            new IpAddress[][]{{BACKEND}, {BACKEND}});
    }

    @AfterEach
    void tearDown()
    {
        if (offload != null)
        {
            offload.close(); // and the slots
        }
        if (flows4 != null)
        {
            flows4.close();
            flows6.close();
        }
        if (xdp != null)
        {
            xdp.close();
        }
        if (program != null)
        {
            program.close();
        }
        if (arena != null)
        {
            arena.close();
        }
        offload = null;
        flows4 = null;
        xdp = null;
        program = null;
        arena = null;
    }

    /** A UDP flow from client port {@code port}, with its first frame both ways counted by Java; its handle. */
    private int udpFlow(final int port, final int snatPort)
    {
        final int handle = flows4.insert(original(port), reply(snatPort), 0, 0, System.nanoTime(), 0, 100);
        flows4.touch(handle | 1, System.nanoTime(), 100, 0);
        clientMacs4.setAtIndex(ValueLayout.JAVA_LONG, handle >>> 1, CLIENT_MAC);
        return handle;
    }

    private static FlowTuple original(final int port)
    {
        return new FlowTuple().set(IpProtocol.UDP, IpAddress.parse("10.213.0.11"), port, VIP, 53);
    }

    private static FlowTuple reply(final int snatPort)
    {
        return new FlowTuple().set(IpProtocol.UDP, BACKEND, 5353, SNAT, snatPort);
    }

    private static byte[] request(final int port, final int payload)
    {
        return new FrameBuilder().macs(CLIENT_MAC, FRONT_MAC).addresses("10.213.0.11", "10.215.0.1").udp(port, 53)
            .payload(payload).frame();
    }

    private static byte[] answer(final int snatPort, final int payload)
    {
        return new FrameBuilder().macs(BACKEND_MAC, BACK_MAC).addresses("10.214.0.11", "10.214.0.1")
            .udp(5353, snatPort).payload(payload).frame();
    }

    /** A scan from start to end (the tables are small: one turn), due at {@code now}. */
    private void scanAll(final ProxyStatistics statistics, final long now)
    {
        offload.scan(now, statistics);
    }

    /**
     * A service with a QoS policy keeps its flows on the Java path while the proxy's QoS is on (the XDP program does
     * not shape, queue or mark); without a policy, or with QoS off, its flows offload; a service that says no stays.
     */
    @Test
    void aServiceWithAQosPolicyIsNotOffloadedWhileQosIsOn()
    {
        final ProxyService plain = config.source().services().get(1);
        final ProxyService shaped = plain.withQos(new ServiceQos(1_000_000, 1_000_000, 0, PriorityClass.P1, -1, null));
        assertTrue(compiled(plain, QosSettings.DEFAULTS).offload(1), "no policy: offloaded");
        assertFalse(compiled(shaped, QosSettings.DEFAULTS).offload(1), "a policy, QoS on: Java path");
        assertTrue(compiled(shaped, QosSettings.OFF).offload(1), "a policy, QoS off: offloaded");
        assertFalse(compiled(plain.withOffload(false), QosSettings.DEFAULTS).offload(1), "offload off");
        assertTrue(shaped.withOffload(false).withOffload(true).qos() != null, "the two settings are independent");
    }

    private static CompiledConfig compiled(final ProxyService service, final QosSettings qos)
    {
        return new CompiledConfig(new ProxyConfig(2, List.of(service), List.of(), AccessAction.ALLOW), null, qos, 2);
    }

    @Test
    void anOffloadedFlowIsForwardedByTheProgramAndItsCountsFoldedOnce()
    {
        final int handle = udpFlow(40000, 20000);
        assertTrue(offload.offload(flows4, handle, config, links, 0));
        assertEquals(FlowOffload.OFFLOADED, flows4.marks(handle));

        final byte[] request = request(40000, 30);
        final byte[] expected = new FrameBuilder().macs(BACK_MAC, BACKEND_MAC).addresses("10.214.0.1", "10.214.0.11")
            .udp(20000, 5353).payload(30).ttl(63).frame();
        assertEquals(XdpTestRun.XDP_REDIRECT, xdp.run(request));
        assertEquals(FrameBuilder.hex(expected), FrameBuilder.hex(xdp.output()), "toward the backend, from SNAT");
        assertEquals(XdpTestRun.XDP_REDIRECT, xdp.run(request));
        final byte[] answer = answer(20000, 50);
        assertEquals(XdpTestRun.XDP_REDIRECT, xdp.run(answer));
        assertEquals(FrameBuilder.hex(new FrameBuilder().macs(FRONT_MAC, CLIENT_MAC).addresses("10.215.0.1",
            "10.213.0.11").udp(53, 40000).payload(50).ttl(63).frame()), FrameBuilder.hex(xdp.output()),
            "toward the client, from the VIP");

        final ProxyStatistics statistics = config.statistics();
        scanAll(statistics, 1_000_000_000L);
        scanAll(statistics, 2_000_000_000L); // a second scan finds nothing new
        assertEquals(3, flows4.packets(handle, 0), "Java's first frame and the program's two");
        assertEquals(100 + 2L * request.length, flows4.bytes(handle, 0));
        assertEquals(2, flows4.packets(handle, 1));
        assertEquals(2, statistics.service(0, ServiceCounter.PACKETS_TO_BACKENDS));
        assertEquals(2L * request.length, statistics.service(0, ServiceCounter.BYTES_TO_BACKENDS));
        assertEquals(1, statistics.service(0, ServiceCounter.PACKETS_TO_CLIENTS));

        assertEquals(XdpTestRun.XDP_REDIRECT, xdp.run(answer));
        offload.recall(flows4, handle, statistics, 3_000_000_000L, OffloadCounter.CLOSED);
        assertEquals(0, flows4.marks(handle));
        assertEquals(2, statistics.service(0, ServiceCounter.PACKETS_TO_CLIENTS), "the recall folds the last counts");
        assertEquals(3, flows4.packets(handle, 1));
        assertEquals(XdpTestRun.XDP_PASS, xdp.run(request), "recalled: the ordinary path again");
        assertEquals(1, offload.counters().get(OffloadCounter.CLOSED));
        assertEquals(0, offload.counters().get(OffloadCounter.ACTIVE));
    }

    @Test
    void aHandedBackFlowIsRecalledByTheScanEvenIfItsFrameNeverReachedJava()
    {
        final int handle = flows4.insert(
            new FlowTuple().set(IpProtocol.TCP, IpAddress.parse("10.213.0.11"), 40001, VIP, 80),
            new FlowTuple().set(IpProtocol.TCP, BACKEND, 8080, SNAT, 20001), 1, 0, System.nanoTime(),
            TcpHeader.SYN, 60);
        flows4.touch(handle | 1, System.nanoTime(), 60, TcpHeader.SYN | TcpHeader.ACK);
        flows4.touch(handle, System.nanoTime(), 60, TcpHeader.ACK);
        clientMacs4.setAtIndex(ValueLayout.JAVA_LONG, handle >>> 1, CLIENT_MAC);
        assertTrue(FlowOffload.ready(flows4, handle), "established");
        assertTrue(offload.offload(flows4, handle, config, links, 0));
        final byte[] fin = new FrameBuilder().addresses("10.213.0.11", "10.215.0.1")
            .tcp(40001, 80, TcpHeader.FIN | TcpHeader.ACK).frame();
        assertEquals(XdpTestRun.XDP_PASS, xdp.run(fin), "a FIN goes to user space");
        scanAll(config.statistics(), 1_000_000_000L);
        assertEquals(0, flows4.marks(handle), "recalled");
        assertEquals(1, offload.counters().get(OffloadCounter.HANDED_BACK));
    }

    @Test
    void aFinReachingJavaTakesTheOffloadedFlowBack()
    {
        final int handle = udpFlow(40002, 20002);
        assertTrue(offload.offload(flows4, handle, config, links, 0));
        offload.javaFrame(flows4, handle, 0, config.statistics(), 0);
        assertEquals(1, offload.counters().get(OffloadCounter.STRAY_FRAMES), "a frame in flight");
        assertEquals(FlowOffload.OFFLOADED, flows4.marks(handle));
        offload.javaFrame(flows4, handle, TcpHeader.FIN, config.statistics(), 0);
        assertEquals(0, flows4.marks(handle));
        assertEquals(1, offload.counters().get(OffloadCounter.HANDED_BACK));
        assertEquals(XdpTestRun.XDP_PASS, xdp.run(request(40002, 10)));
    }

    @Test
    void fullSlotsRefuseWholeFlowsWhichStayOnTheJavaPath()
    {
        setUp(L4FlowSlots.PROBES, 16); // four slots: two flows
        final int first = udpFlow(40010, 20010);
        final int second = udpFlow(40011, 20011);
        assertTrue(offload.offload(flows4, first, config, links, 0));
        // One slot left: the third flow's first direction fits, its second does not, and the first is taken out.
        final FlowTuple filler = new FlowTuple().set(IpProtocol.UDP, IpAddress.parse("10.99.0.1"), 1, VIP, 53);
        final int taken = slots.insert(filler, filler, 1, 2, 0);
        assertTrue(taken != L4FlowSlots.NO_SLOT);
        assertFalse(offload.offload(flows4, second, config, links, 0));
        assertEquals(FlowOffload.NEVER, flows4.marks(second));
        assertFalse(FlowOffload.ready(flows4, second), "never asked again");
        assertEquals(1, offload.counters().get(OffloadCounter.FAILED_FULL));
        assertEquals(XdpTestRun.XDP_PASS, xdp.run(request(40011, 10)), "the half written is taken out again");
        assertEquals(XdpTestRun.XDP_REDIRECT, xdp.run(request(40010, 10)));

        offload.recall(flows4, first, config.statistics(), 0);
        slots.release(taken, 0);
        final int third = udpFlow(40012, 20012);
        assertFalse(offload.offload(flows4, third, config, links, 1), "the released slots are in quarantine");
        final int fourth = udpFlow(40013, 20013);
        offload.scan(L4FlowSlots.QUARANTINE_NANOS, config.statistics());
        assertTrue(offload.offload(flows4, fourth, config, links, L4FlowSlots.QUARANTINE_NANOS), "room again");
    }

    @Test
    void theLimitOfOffloadedFlowsIsKept()
    {
        setUp(64, 1);
        assertTrue(offload.offload(flows4, udpFlow(40020, 20020), config, links, 0));
        final int second = udpFlow(40021, 20021);
        assertFalse(offload.offload(flows4, second, config, links, 0));
        assertEquals(FlowOffload.NEVER, flows4.marks(second));
        assertEquals(1, offload.counters().get(OffloadCounter.FAILED_FULL));
    }

    @Test
    void anIdleOffloadedFlowStaysWhileTheProgramForwardsForIt() throws InterruptedException
    {
        final int handle = udpFlow(40025, 20025);
        offload.offload(flows4, handle, config, links, System.nanoTime());
        final ExpiredFlowHandler handler = new ExpiredFlowHandler()
        {
            @Override
            public void onExpired(final FlowTable table, final int h)
            {
                offload.recall(table, h, config.statistics(), System.nanoTime(), OffloadCounter.CLOSED);
            }

            @Override
            public void beforeExpiry(final FlowTable table, final int h)
            {
                offload.beforeExpiry(table, h, config.statistics(), System.nanoTime());
            }
        };
        Thread.sleep(1_100); // idle by Java's clock
        assertEquals(XdpTestRun.XDP_REDIRECT, xdp.run(request(40025, 10)), "but the program forwarded a frame");
        assertEquals(0, flows4.expire(System.nanoTime(), 16, handler), "so it is not idle");
        assertEquals(2, flows4.packets(handle, 0));
        Thread.sleep(1_100);
        assertEquals(1, flows4.expire(System.nanoTime(), 16, handler), "now it is");
        assertEquals(XdpTestRun.XDP_PASS, xdp.run(request(40025, 10)), "and its slots are released");
        assertEquals(0, offload.counters().get(OffloadCounter.ACTIVE));
    }

    @Test
    void offloadAllocatesNothingOnceWarm()
    {
        final ProxyStatistics statistics = config.statistics();
        final FlowTuple original = original(40030);
        final FlowTuple reply = reply(20030);
        final byte[] request = request(40030, 20);
        xdp.run(request);
        final var threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        // Windows of 2,000 rounds until one allocates nothing, once the JIT had the time to compile the loop (the
        // interpreter's downcalls, the test run's, allocate); a steady allocation fails every window.
        final long[] allocated = new long[20];
        int rounds = 0;
        int window = 0;
        for (; window < allocated.length; window++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 2_000; i++, rounds++)
            {
                final int handle = flows4.insert(original, reply, 0, 0, rounds, 0, 100);
                flows4.touch(handle | 1, rounds, 100, 0);
                clientMacs4.setAtIndex(ValueLayout.JAVA_LONG, handle >>> 1, CLIENT_MAC);
                final long now = rounds * 1_000_000_000L;
                offload.offload(flows4, handle, config, links, now);
                xdp.run(request.length);
                offload.scan(now, statistics);
                offload.javaFrame(flows4, handle, 0, statistics, now);
                offload.beforeExpiry(flows4, handle, statistics, now);
                offload.recall(flows4, handle, statistics, now, OffloadCounter.CLOSED);
                flows4.remove(handle);
            }
            allocated[window] = threads.getCurrentThreadAllocatedBytes() - before;
            if (window >= 5 && allocated[window] == 0)
            {
                break;
            }
        }
        assertTrue(window < allocated.length, "no window of 2,000 offloads, frames, scans and recalls without "
            + "allocation: " + java.util.Arrays.toString(allocated));
        assertEquals(rounds, offload.counters().get(OffloadCounter.OFFLOADED));
        assertEquals(rounds, statistics.service(0, ServiceCounter.PACKETS_TO_BACKENDS), "each frame counted once");
    }
}
