package io.marchproxy.dataplane.xsk;

import io.marchproxy.dataplane.bpf.XdpAttachment;
import io.marchproxy.dataplane.bpf.XdpMode;
import io.marchproxy.dataplane.bpf.XskProgram;
import io.marchproxy.dataplane.netns.Interfaces;
import io.marchproxy.dataplane.netns.NetNamespace;
import io.marchproxy.lab.VethLab;
import io.marchproxy.ffm.ErrnoException;
import io.marchproxy.ffm.libc.Poll;
import org.agrona.concurrent.AgentRunner;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AF_XDP sockets on real veth pairs in namespaces each test creates and removes: frames sent by the kernel stack in
 * the peer namespace are received, frames built here are accepted by the peer's UDP stack, and frames are forwarded
 * between two interfaces through one shared UMEM, in generic (skb) and native (drv) XDP mode, with need-wakeup on and
 * off.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class XskVethTest
{
    private static final int PORT = 7401;
    private static final int FRAMES = 4096;
    private static final int FRAME_SIZE = 4096;
    private static final int RING = 2048;
    private static final int COUNT = 500;
    /** A sequence number after the last one (passes the agent test's rewriter: SENTINEL % 10 != 9). */
    private static final int SENTINEL = 1_000_000;
    private static final int PAYLOAD = 96;
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);

    static Stream<Arguments> modes()
    {
        return Stream.of(
            Arguments.of(XdpMode.SKB, true),
            Arguments.of(XdpMode.SKB, false),
            Arguments.of(XdpMode.DRV, true),
            Arguments.of(XdpMode.DRV, false));
    }

    /** Payload {@code seq}: the sequence number in the first 4 bytes, then a pattern that depends on it. */
    static byte[] payload(final int seq)
    {
        final byte[] p = new byte[PAYLOAD];
        ByteBuffer.wrap(p).putInt(seq);
        for (int i = 4; i < p.length; i++)
        {
            p[i] = (byte)(seq * 31 + i);
        }
        return p;
    }

    @ParameterizedTest(name = "{0} need-wakeup={1}")
    @MethodSource("modes")
    void receivesEveryFrameTheKernelSends(final XdpMode mode, final boolean needWakeup) throws Exception
    {
        receiveAll(mode, needWakeup, false);
    }

    @Test
    void receivesWithBusyPolling() throws Exception
    {
        receiveAll(XdpMode.DRV, true, true);
    }

    private static void receiveAll(final XdpMode mode, final boolean needWakeup, final boolean busyPoll)
        throws Exception
    {
        try (VethLab lab = VethLab.create();
            XskProgram program = XskProgram.load();
            Umem umem = Umem.allocate(FRAMES, FRAME_SIZE, 0))
        {
            program.setPolicy(XskProgram.POLICY_IPV4_UDP, 0, 0);
            final int ifindex = lab.nsA().call(() -> Interfaces.index(lab.ifA()));
            final XskSocket.Builder builder = XskSocket.builder(umem)
                .ifindex(ifindex).queue(0).ringSize(RING).needWakeup(needWakeup);
            if (busyPoll)
            {
                builder.busyPoll(20, 64);
            }
            try (XskSocket socket = lab.nsA().call(builder::open))
            {
                assertFalse(socket.zeroCopy(), "veth has no zero-copy: AUTO must have fallen back to copy");
                assertEquals(needWakeup, socket.needWakeup());
                assertEquals(busyPoll, socket.busyPoll(), "busy polling asked for and accepted (root)");
                final XdpAttachment attachment = lab.nsA().call(() -> program.attach(ifindex, mode));
                socket.registerIn(program);
                assertEquals(RING, socket.fillAll());
                try
                {
                    final long redirectedBefore = program.counter(XskProgram.Counter.REDIRECTED);
                    lab.nsB().run(() -> sendUdp(new InetSocketAddress(lab.ipA(), PORT)));

                    final BitSet seen = new BitSet();
                    final int[] wrong = new int[1];
                    final PacketHandler handler = packet ->
                    {
                        final MemorySegment frame = packet.frame();
                        final int at = packet.offset();
                        final byte[] body = new byte[packet.length() - UdpFrames.HEADERS];
                        MemorySegment.copy(frame, JAVA_BYTE, at + UdpFrames.HEADERS, body, 0, body.length);
                        final int seq = ByteBuffer.wrap(body).getInt();
                        if (UdpFrames.udpDestinationPort(frame, at) != PORT || seq < 0 || seq >= COUNT ||
                            !Arrays.equals(payload(seq), body) || seen.get(seq))
                        {
                            wrong[0]++;
                        }
                        seen.set(seq);
                        assertArrayEquals(body, packet.data().asSlice(UdpFrames.HEADERS).toArray(JAVA_BYTE));
                        return false;
                    };
                    final long deadline = System.nanoTime() + DEADLINE_NANOS;
                    while (seen.cardinality() < COUNT && System.nanoTime() < deadline)
                    {
                        if (socket.receive(64, handler) == 0)
                        {
                            socket.poll(Poll.POLLIN, 20);
                        }
                    }
                    assertEquals(COUNT, seen.cardinality(), "distinct frames received");
                    assertEquals(0, wrong[0], "frames with a wrong port, payload or a duplicate");
                    assertEquals(COUNT, socket.rxPackets());
                    assertEquals(COUNT, program.counter(XskProgram.Counter.REDIRECTED) - redirectedBefore);
                    final XskStatistics stats = socket.statistics();
                    assertEquals(0, stats.rxDropped() + stats.rxRingFull() + stats.rxInvalidDescriptors(), stats::toString);
                    assertEquals(0, socket.kickRetries() + socket.kickErrors(), "failed RX wake-ups");
                    // Every frame is either in the pool or in the fill ring: none lost, none duplicated.
                    assertEquals(FRAMES, umem.pool().available() + socket.fillRing().outstanding());
                }
                finally
                {
                    lab.nsA().run(attachment::close);
                }
            }
        }
    }

    private static void sendUdp(final InetSocketAddress to)
    {
        try (DatagramChannel ch = DatagramChannel.open())
        {
            for (int seq = 0; seq < COUNT; seq++)
            {
                ch.send(ByteBuffer.wrap(payload(seq)), to);
            }
        }
        catch (final java.io.IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @ParameterizedTest(name = "need-wakeup={0}")
    @ValueSource(booleans = {true, false})
    void transmitsFramesThePeerStackAccepts(final boolean needWakeup) throws Exception
    {
        try (VethLab lab = VethLab.create();
            Umem umem = Umem.allocate(FRAMES, FRAME_SIZE, 0);
            DatagramChannel receiver = receiver(lab.nsB(), lab.ipB()))
        {
            try (XskSocket socket = lab.nsA().call(() -> XskSocket.builder(umem)
                .interfaceName(lab.ifA()).queue(0).rxSize(0).txSize(RING).needWakeup(needWakeup).open()))
            {
                transmitAll(lab, umem, socket, receiver);
            }
        }
    }

    @Test
    void transmitsThroughASocketSharingTheOwnersQueue() throws Exception
    {
        try (VethLab lab = VethLab.create();
            Umem umem = Umem.allocate(FRAMES, FRAME_SIZE, 0);
            DatagramChannel receiver = receiver(lab.nsB(), lab.ipB()))
        {
            try (XskSocket owner = lab.nsA().call(() -> XskSocket.builder(umem)
                    .interfaceName(lab.ifA()).queue(0).ringSize(RING).txSize(0).open());
                XskSocket sharer = lab.nsA().call(() -> XskSocket.builder(umem)
                    .interfaceName(lab.ifA()).queue(0).rxSize(0).txSize(RING).sharedWith(owner).open()))
            {
                // Same interface and queue: the kernel lets the second socket use the owner's fill and completion
                // rings only, so they are the same ring objects.
                assertSame(owner.fillRing(), sharer.fillRing());
                assertSame(owner.completionRing(), sharer.completionRing());
                transmitAll(lab, umem, sharer, receiver);
            }
        }
    }

    /**
     * The copy-mode TX budget: by default one kick sends 32 frames and reports EAGAIN for the rest; with
     * {@code txBudget(64)} one kick takes a whole batch of 64, and so with {@code txBudgetIfSupported(64)} (what the L4
     * proxy asks for) where the kernel has the option. Read from the TX ring's consumer index after one kick.
     */
    @Test
    void txBudgetLetsOneKickSendAWholeBatch() throws Exception
    {
        try (VethLab lab = VethLab.create();
            Umem umem = Umem.allocate(FRAMES, FRAME_SIZE, 0))
        {
            for (final String how : new String[] {"kernel", "required", "if-supported"})
            {
                final XskSocket socket;
                try
                {
                    socket = lab.nsA().call(() ->
                    {
                        final XskSocket.Builder b = XskSocket.builder(umem).interfaceName(lab.ifA()).queue(0)
                            .rxSize(0).txSize(RING).needWakeup(false);
                        return switch (how)
                        {
                            case "kernel" -> b.open();
                            case "required" -> b.txBudget(64).open();
                            default -> b.txBudgetIfSupported(64).open();
                        };
                    });
                }
                catch (final ErrnoException ex)
                {
                    // Only a kernel older than 6.17 may refuse the option; on a newer one the refusal is a bug (a
                    // wrong option number also gives ENOPROTOOPT), so it fails the test.
                    assertTrue(ex.getMessage().contains("Linux 6.17"), ex.getMessage());
                    assertFalse(kernelAtLeast(6, 17), "Linux " + System.getProperty("os.version") +
                        " has XDP_MAX_TX_SKB_BUDGET but refused it: " + ex.getMessage());
                    Assumptions.abort("kernel without XDP_MAX_TX_SKB_BUDGET: " + ex.getMessage());
                    return;
                }
                try (socket)
                {
                    final int budget = how.equals("kernel") ? 0 : 64;
                    assertEquals(how.equals("if-supported") && !kernelAtLeast(6, 17) ? 0 : budget, socket.txBudget(),
                        "the budget the socket got (" + how + ")");
                    final byte[] srcIp = UdpFrames.ip(lab.ipA());
                    final byte[] dstIp = UdpFrames.ip(lab.ipB());
                    for (int i = 0; i < 64; i++)
                    {
                        final long frame = umem.pool().acquire();
                        assertTrue(socket.transmit(frame, UdpFrames.write(umem.segment(), frame, lab.macB(),
                            lab.macA(), srcIp, dstIp, PORT, PORT, payload(i))));
                    }
                    socket.flush(); // publishes the 64 descriptors and kicks once
                    assertEquals(1, socket.txKicks());
                    final int left = socket.txRing().outstanding();
                    assertEquals(socket.txBudget() == 0 ? 32 : 0, left, "descriptors the kernel left after one kick, "
                        + how + " budget " + socket.txBudget());
                    assertEquals(socket.txBudget() == 0 ? 1 : 0, socket.kickRetries(), "kicks the kernel asked to retry (EAGAIN)");
                    assertEquals(0, socket.kickErrors(), "kicks that failed otherwise, last errno "
                        + socket.lastKickErrno());
                    final long deadline = System.nanoTime() + DEADLINE_NANOS;
                    while (socket.txInFlight() > 0 && System.nanoTime() < deadline)
                    {
                        socket.flush();
                        socket.complete();
                    }
                    assertEquals(FRAMES, umem.pool().available(), "every frame back in the pool");
                }
            }
        }
    }

    @Test
    void txBudgetOutsideTheKernelsRangeIsRefused() throws Exception
    {
        try (VethLab lab = VethLab.create();
            Umem umem = Umem.allocate(FRAMES, FRAME_SIZE, 0))
        {
            final IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> XskSocket.builder(umem).txBudget(16));
            assertTrue(small.getMessage().contains(">= 32"), small.getMessage());
            final IllegalArgumentException large = assertThrows(IllegalArgumentException.class,
                () -> lab.nsA().call(() -> XskSocket.builder(umem).interfaceName(lab.ifA()).rxSize(0).txSize(64)
                    .txBudget(128).open()));
            assertTrue(large.getMessage().contains("exceeds the TX ring size 64"), large.getMessage());
            assertEquals(FRAMES, umem.pool().available());
        }
    }

    /**
     * Sends a frame with a broken UDP checksum, then {@link #COUNT} good frames built in the UMEM through
     * {@code socket}, and checks that the peer's UDP socket gets exactly the good ones and every frame comes back.
     */
    private static void transmitAll(final VethLab lab, final Umem umem, final XskSocket socket,
        final DatagramChannel receiver) throws java.io.IOException
    {
                final byte[] srcIp = UdpFrames.ip(lab.ipA());
                final byte[] dstIp = UdpFrames.ip(lab.ipB());
                final FramePool pool = umem.pool();

                // A frame with a broken UDP checksum first: the peer must drop it, which shows checksums are checked.
                final long bad = pool.acquire();
                final int badLength = UdpFrames.write(umem.segment(), bad, lab.macB(), lab.macA(), srcIp, dstIp,
                    PORT, PORT, payload(COUNT + 1));
                umem.segment().set(JAVA_BYTE, bad + UdpFrames.HEADERS + 10,
                    (byte)(umem.segment().get(JAVA_BYTE, bad + UdpFrames.HEADERS + 10) ^ 0x5a));
                assertTrue(socket.transmit(bad, badLength));
                socket.flush();

                final BitSet seen = new BitSet();
                int wrong = 0;
                int sent = 0;
                final ByteBuffer buf = ByteBuffer.allocate(2048);
                final long deadline = System.nanoTime() + DEADLINE_NANOS;
                while ((seen.cardinality() < COUNT || socket.txInFlight() > 0) && System.nanoTime() < deadline)
                {
                    for (int i = 0; i < 32 && sent < COUNT; i++)
                    {
                        final long frame = pool.acquire();
                        if (frame == FramePool.NO_FRAME)
                        {
                            break;
                        }
                        final int length = UdpFrames.write(umem.segment(), frame, lab.macB(), lab.macA(), srcIp,
                            dstIp, PORT, PORT, payload(sent));
                        if (!socket.transmit(frame, length))
                        {
                            pool.release(frame);
                            break;
                        }
                        sent++;
                    }
                    socket.flush();
                    socket.complete();
                    wrong += drain(receiver, buf, seen);
                    if (sent == COUNT && seen.cardinality() < COUNT)
                    {
                        Thread.onSpinWait();
                    }
                }
                assertEquals(COUNT, seen.cardinality(), "distinct datagrams the peer's UDP socket received");
                assertEquals(0, wrong, "datagrams with a bad payload, the broken-checksum one, or duplicates");
                assertEquals(COUNT + 1, socket.txCompleted(), "completions");
                assertEquals(FRAMES, pool.available(), "every frame back in the pool");
                assertEquals(0, socket.statistics().txInvalidDescriptors());
                assertEquals(0, socket.kickErrors(), "failed TX kicks, last errno " + socket.lastKickErrno());
                if (!socket.needWakeup())
                {
                    assertTrue(socket.txKicks() > 0, "without need-wakeup every flush with work kicks");
                }
    }

    @ParameterizedTest(name = "{0} need-wakeup={1}")
    @MethodSource("modes")
    void forwardsBetweenInterfacesThroughSharedUmem(final XdpMode mode, final boolean needWakeup) throws Exception
    {
        try (VethLab lab = VethLab.createForwarding();
            XskProgram program = XskProgram.load();
            Umem umem = Umem.allocate(FRAMES, FRAME_SIZE, 0);
            DatagramChannel receiver = receiver(lab.nsB(), lab.ipD()))
        {
            program.setPolicy(XskProgram.POLICY_IPV4_UDP, 0, 0);
            final int ifA = lab.nsA().call(() -> Interfaces.index(lab.ifA()));
            try (XskSocket in = lab.nsA().call(() -> XskSocket.builder(umem)
                    .ifindex(ifA).queue(0).ringSize(RING).txSize(0).needWakeup(needWakeup).open());
                XskSocket out = lab.nsA().call(() -> XskSocket.builder(umem)
                    .interfaceName(lab.ifC()).queue(0).ringSize(RING).rxSize(0).sharedWith(in).open()))
            {
                assertEquals(needWakeup, out.needWakeup(), "need-wakeup follows the UMEM owner");
                final XdpAttachment attachment = lab.nsA().call(() -> program.attach(ifA, mode));
                in.registerIn(program);
                in.fillAll();
                try
                {
                    final byte[] macC = lab.macC();
                    final byte[] macD = lab.macD();
                    final byte[] ipC = UdpFrames.ip(lab.ipC());
                    final byte[] ipD = UdpFrames.ip(lab.ipD());
                    final long[] sameFrame = new long[1];
                    final PacketHandler forward = packet ->
                    {
                        // Rewritten in place; the RX address itself goes into the TX ring of the other interface.
                        UdpFrames.readdress(umem.segment(), packet.address(), macD, macC, ipC, ipD);
                        if (out.transmit(packet))
                        {
                            sameFrame[0]++;
                            return true;
                        }
                        return false;
                    };
                    lab.nsB().run(() -> sendUdp(new InetSocketAddress(lab.ipA(), PORT)));

                    final BitSet seen = new BitSet();
                    int wrong = 0;
                    final ByteBuffer buf = ByteBuffer.allocate(2048);
                    final long deadline = System.nanoTime() + DEADLINE_NANOS;
                    while (seen.cardinality() < COUNT && System.nanoTime() < deadline)
                    {
                        final int n = in.receive(64, forward);
                        out.flush();
                        out.complete();
                        in.refill();
                        wrong += drain(receiver, buf, seen);
                        if (n == 0 && out.txInFlight() == 0)
                        {
                            in.poll(Poll.POLLIN, 10);
                        }
                    }
                    final long drain = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                    while (out.txInFlight() > 0 && System.nanoTime() < drain)
                    {
                        out.flush();
                        out.complete();
                    }
                    assertEquals(COUNT, seen.cardinality(), "distinct datagrams forwarded to the peer on D");
                    assertEquals(0, wrong);
                    assertEquals(COUNT, in.rxPackets());
                    assertEquals(COUNT, sameFrame[0], "frames forwarded by address, without a copy");
                    assertEquals(COUNT, out.txCompleted());
                    assertEquals(0, in.kickRetries() + in.kickErrors(), "failed RX wake-ups");
                    // In copy mode a kick sends at most 32 frames (the kernel's TX batch) and returns -1 (EAGAIN)
                    // when more are left; the next flush kicks again. Those are retries, not errors; the kick that
                    // emptied the ring must have succeeded.
                    assertEquals(0, out.kickErrors(), "failed TX kicks, last errno " + out.lastKickErrno());
                    assertTrue(out.kickRetries() < out.txKicks(),
                        "TX kicks the kernel asked to retry: " + out.kickRetries() + " of " + out.txKicks());
                    if (!needWakeup)
                    {
                        assertTrue(out.txKicks() > 0, "without need-wakeup every flush with work kicks");
                    }
                    assertEquals(FRAMES, umem.pool().available() + in.fillRing().outstanding(),
                        "every frame back in the pool or the fill ring");
                }
                finally
                {
                    lab.nsA().run(attachment::close);
                }
            }
        }
    }

    /**
     * The library's {@link XskForwarder} on an agrona {@link AgentRunner} thread: every datagram sent from B to A
     * reaches D through C with its addresses rewritten; a rewriter that refuses a frame drops it, counted, and its
     * frame comes back. After the runner stops, every frame is back in the pool or the fill ring.
     */
    @Test
    void forwardsThroughTheAgentOnAnAgentRunner() throws Exception
    {
        try (VethLab lab = VethLab.createForwarding();
            XskProgram program = XskProgram.load();
            Umem umem = Umem.allocate(FRAMES, FRAME_SIZE, 0);
            DatagramChannel receiver = receiver(lab.nsB(), lab.ipD()))
        {
            program.setPolicy(XskProgram.POLICY_IPV4_UDP, 0, 0);
            final int ifA = lab.nsA().call(() -> Interfaces.index(lab.ifA()));
            try (XskSocket in = lab.nsA().call(() -> XskSocket.builder(umem)
                    .ifindex(ifA).queue(0).ringSize(RING).txSize(0).open());
                XskSocket out = lab.nsA().call(() -> XskSocket.builder(umem)
                    .interfaceName(lab.ifC()).queue(0).ringSize(RING).rxSize(0).sharedWith(in).open()))
            {
                final XdpAttachment attachment = lab.nsA().call(() -> program.attach(ifA, XdpMode.DRV));
                in.registerIn(program);
                final byte[] macC = lab.macC();
                final byte[] macD = lab.macD();
                final byte[] ipC = UdpFrames.ip(lab.ipC());
                final byte[] ipD = UdpFrames.ip(lab.ipD());
                final MemorySegment memory = umem.segment();
                // Every tenth datagram (payload sequence % 10 == 9) is refused by the rewriter.
                final XskForwarder forwarder = new XskForwarder(in, out, 64, packet ->
                {
                    final int seq = memory.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(
                        java.nio.ByteOrder.BIG_ENDIAN), packet.address() + UdpFrames.HEADERS);
                    if (seq % 10 == 9)
                    {
                        return false;
                    }
                    UdpFrames.readdress(memory, packet.address(), macD, macC, ipC, ipD);
                    return true;
                });
                final AtomicReference<Throwable> failure = new AtomicReference<>();
                final AgentRunner runner = new AgentRunner(forwarder.idleStrategy(10), failure::set, null, forwarder);
                try
                {
                    in.fillAll(); // before the datagrams come; the runner's onStart then finds the fill ring full
                    AgentRunner.startOnThread(runner);
                    final int expected = COUNT - COUNT / 10;
                    final BitSet seen = new BitSet();
                    int wrong = 0;
                    final ByteBuffer buf = ByteBuffer.allocate(2048);
                    final long deadline = System.nanoTime() + DEADLINE_NANOS;
                    // In steps of 50 datagrams, each drained before the next, so the receiver's socket buffer on D
                    // cannot overflow while the agent forwards on its own thread.
                    try (DatagramChannel sender = lab.nsB().call(DatagramChannel::open))
                    {
                        final InetSocketAddress to = new InetSocketAddress(lab.ipA(), PORT);
                        for (int step = 0; step < COUNT; step += 50)
                        {
                            for (int seq = step; seq < step + 50; seq++)
                            {
                                sender.send(ByteBuffer.wrap(payload(seq)), to);
                            }
                            final int due = (step + 50) - (step + 50) / 10;
                            while (seen.cardinality() < due && System.nanoTime() < deadline)
                            {
                                wrong += drain(receiver, buf, seen);
                                Thread.onSpinWait();
                            }
                        }
                        // The last datagram (COUNT - 1) is refused, so nothing on D shows it was handled: a sentinel
                        // that passes follows it, and RX is in order, so once the sentinel is on D every datagram
                        // before it went through the agent.
                        sender.send(ByteBuffer.wrap(payload(SENTINEL)), to);
                        final ByteBuffer one = ByteBuffer.allocate(2048);
                        boolean sentinel = false;
                        while (!sentinel && System.nanoTime() < deadline)
                        {
                            one.clear();
                            if (receiver.receive(one) != null)
                            {
                                one.flip();
                                sentinel = one.getInt(0) == SENTINEL;
                                if (!sentinel)
                                {
                                    wrong++; // every datagram before the sentinel was already on D
                                }
                            }
                            else
                            {
                                Thread.onSpinWait();
                            }
                        }
                        assertTrue(sentinel, "the sentinel after the last datagram reached D");
                    }
                    runner.close();
                    assertEquals(null, failure.get());
                    assertEquals(expected, seen.cardinality(), "distinct datagrams forwarded to the peer on D");
                    assertEquals(0, wrong);
                    assertTrue(seen.stream().noneMatch(seq -> seq % 10 == 9), "a refused datagram arrived");
                    assertEquals(expected + 1, forwarder.forwarded(), "the datagrams that pass, and the sentinel");
                    assertEquals(COUNT / 10, forwarder.dropped());
                    assertEquals(COUNT + 1, in.rxPackets());
                    final long drain = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                    while (out.txInFlight() > 0 && System.nanoTime() < drain)
                    {
                        out.flush();
                        out.complete();
                    }
                    assertEquals(FRAMES, umem.pool().available() + in.fillRing().outstanding(),
                        "every frame back in the pool or the fill ring");
                    assertTrue(forwarder.roleName().startsWith("xsk-forwarder-" + ifA + ":0->"), forwarder.roleName());
                }
                finally
                {
                    runner.close();
                    lab.nsA().run(attachment::close);
                }
            }
        }
    }

    /** receive(0) asks for nothing, so it never costs a wake-up syscall; receive(64) on an empty ring does. */
    @Test
    void receiveWakesTheKernelOnlyWhenItAskedForFrames() throws Exception
    {
        try (VethLab lab = VethLab.create();
            Umem umem = Umem.allocate(FRAMES, FRAME_SIZE, 0);
            XskSocket socket = lab.nsA().call(() -> XskSocket.builder(umem).interfaceName(lab.ifA()).txSize(0)
                .busyPoll(50, 64).open()))
        {
            // With busy polling every empty receive that asked for frames wakes (drives) the kernel.
            assertTrue(socket.busyPoll(), "busy polling accepted by this kernel");
            final PacketHandler none = packet -> false;
            assertEquals(0, socket.receive(0, none));
            assertEquals(0, socket.rxWakeups(), "receive(0) woke the kernel");
            assertEquals(0, socket.receive(64, none));
            assertEquals(1, socket.rxWakeups(), "an empty receive(64) wakes the kernel");
        }
    }

    @Test
    void forwarderRefusesSocketsThatCannotForward() throws Exception
    {
        try (VethLab lab = VethLab.create();
            Umem umem = Umem.allocate(FRAMES, FRAME_SIZE, 0);
            Umem other = Umem.allocate(64, FRAME_SIZE, 0))
        {
            try (XskSocket a = lab.nsA().call(() -> XskSocket.builder(umem).interfaceName(lab.ifA()).open());
                XskSocket b = lab.nsB().call(() -> XskSocket.builder(other).interfaceName(lab.ifB()).open()))
            {
                final IllegalArgumentException twoUmems = assertThrows(IllegalArgumentException.class,
                    () -> new XskForwarder(a, b, 64, p -> true));
                assertTrue(twoUmems.getMessage().contains("share one UMEM"), twoUmems.getMessage());
            }
            try (XskSocket a = lab.nsA().call(() -> XskSocket.builder(umem).interfaceName(lab.ifA())
                .txSize(0).open()))
            {
                final IllegalArgumentException noTx = assertThrows(IllegalArgumentException.class,
                    () -> new XskForwarder(a, a, 64, p -> true));
                assertTrue(noTx.getMessage().contains("TX ring"), noTx.getMessage());
            }
            try (XskSocket a = lab.nsA().call(() -> XskSocket.builder(umem).interfaceName(lab.ifA()).open()))
            {
                final IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
                    () -> new XskForwarder(a, a, RING + 1, p -> true));
                assertTrue(batch.getMessage().contains("batch must be 1.." + RING), batch.getMessage());
            }
        }
    }

    /** Whether the running kernel's version ({@code os.version}, e.g. "6.18.44-...") is at least major.minor. */
    static boolean kernelAtLeast(final int major, final int minor)
    {
        final java.util.regex.Matcher m =
            java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(System.getProperty("os.version"));
        if (!m.find())
        {
            throw new IllegalStateException("unparsable kernel version " + System.getProperty("os.version"));
        }
        final int maj = Integer.parseInt(m.group(1));
        return maj > major || (maj == major && Integer.parseInt(m.group(2)) >= minor);
    }

    /** A non-blocking UDP socket bound to {@code ip}:{@link #PORT} in {@code ns}. */
    private static DatagramChannel receiver(final NetNamespace ns, final String ip) throws Exception
    {
        final DatagramChannel channel = ns.call(() -> DatagramChannel.open().bind(new InetSocketAddress(ip, PORT)));
        channel.configureBlocking(false);
        return channel;
    }

    /** Reads every datagram waiting on {@code receiver}, marks good ones in {@code seen}, returns the bad ones. */
    private static int drain(final DatagramChannel receiver, final ByteBuffer buf, final BitSet seen)
        throws java.io.IOException
    {
        int wrong = 0;
        buf.clear();
        while (receiver.receive(buf) != null)
        {
            buf.flip();
            final byte[] body = new byte[buf.remaining()];
            buf.get(body);
            final int seq = ByteBuffer.wrap(body).getInt();
            if (seq < 0 || seq >= COUNT || !Arrays.equals(payload(seq), body) || seen.get(seq))
            {
                wrong++;
            }
            else
            {
                seen.set(seq);
            }
            buf.clear();
        }
        return wrong;
    }
}
