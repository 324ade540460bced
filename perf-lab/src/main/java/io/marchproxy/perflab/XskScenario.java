package io.marchproxy.perflab;

import io.marchproxy.dataplane.bpf.XdpAttachment;
import io.marchproxy.dataplane.bpf.XdpMode;
import io.marchproxy.dataplane.bpf.XskProgram;
import io.marchproxy.dataplane.netns.Interfaces;
import io.marchproxy.dataplane.xsk.CompletionRing;
import io.marchproxy.dataplane.xsk.FillRing;
import io.marchproxy.dataplane.xsk.FramePool;
import io.marchproxy.dataplane.xsk.PacketHandler;
import io.marchproxy.dataplane.xsk.RxRing;
import io.marchproxy.dataplane.xsk.TxRing;
import io.marchproxy.dataplane.xsk.Umem;
import io.marchproxy.dataplane.xsk.XskForwarder;
import io.marchproxy.dataplane.xsk.XskSocket;
import io.marchproxy.dataplane.xsk.XskStatistics;
import io.marchproxy.ffm.libc.Poll;
import org.agrona.concurrent.IdleStrategy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteOrder;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The Java implementation of the perf-lab AF_XDP scenarios: the same options, the same setup order, the same loops
 * and the same one-line JSON as {@code perf-lab/c/xsk_ref.c}, on {@code io.marchproxy.dataplane.xsk} (setup through
 * {@link XskSocket}, loops directly on its rings and the UMEM's {@link FramePool}, like the C code on its own).
 *
 * <pre>
 *   rxdrop  receive on IF, every frame straight back to the pool and the fill ring; counts RX descriptors
 *   txonly  transmit the fixed test frame on IF as fast as the kernel takes it; counts TX completions
 *   l2fwd   receive on IF, swap the Ethernet addresses, transmit the same UMEM frame on IF2 (shared UMEM, no copy;
 *           IF2 = IF bounces it back); counts TX completions
 * </pre>
 *
 * With {@code --api socket} the same scenarios run on the library's public packet API instead of the rings:
 * {@link XskSocket#receive}, {@link XskSocket#transmit}, {@link XskSocket#flush}, {@link XskSocket#complete}, and
 * for l2fwd the {@link XskForwarder} agent with its idle strategy.
 *
 * Prints nothing while running, then exactly one line on stdout:
 * {@code {"impl":"java","scenario":"rxdrop","packets":N,"seconds":S,"pps":P,"cpu_seconds":C}}. Exit status 0 after a
 * full window, 2 if no packet came within --start-timeout, 130 after SIGINT/SIGTERM (the JSON line is printed in every
 * case), 1 on a setup error (message on stderr, no JSON).
 */
public final class XskScenario
{
    private static final String PROG = "XskScenario";
    private static final ValueLayout.OfShort NET_SHORT =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long MAC_MASK = 0xffff_ffff_ffffL;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ScenarioOptions o;
    private final Umem umem;
    private final MemorySegment memory;
    private final FramePool pool;
    private final XskSocket x1;
    private final XskSocket x2;
    private final MeasurementWindow w;

    private XskScenario(final ScenarioOptions o, final Umem umem, final XskSocket x1, final XskSocket x2)
    {
        this.o = o;
        this.umem = umem;
        this.memory = umem.segment();
        this.pool = umem.pool();
        this.x1 = x1;
        this.x2 = x2;
        this.w = new MeasurementWindow(o.warmup(), o.seconds());
    }

    public static void main(final String[] args)
    {
        final int status;
        try
        {
            status = run(args);
        }
        catch (final ScenarioOptions.UsageException | IllegalArgumentException | IllegalStateException ex)
        {
            System.err.println(PROG + ": " + ex.getMessage());
            SignalStop.exit(1);
            return;
        }
        catch (final RuntimeException ex)
        {
            System.err.println(PROG + ": " + ex);
            SignalStop.exit(1);
            return;
        }
        SignalStop.exit(status);
    }

    private static int run(final String[] args)
    {
        final ScenarioOptions o = ScenarioOptions.parse(args);
        if (o == null)
        {
            System.out.println(ScenarioOptions.USAGE);
            return 0;
        }
        final int ifindex = Interfaces.index(o.ifname());
        final int ifindex2 = Interfaces.index(o.ifname2());
        SignalStop.install("xsk-scenario-stop");

        final boolean txonly = o.scenario().equals("txonly");
        final boolean l2fwd = o.scenario().equals("l2fwd");
        // Program loaded, sockets bound, program attached, then sockets registered (registerIn checks the program is
        // attached to the socket's interface; xsk_ref registers first, which makes no difference to the measurement).
        try (XskProgram program = txonly ? null : XskProgram.load();
            Umem umem = Umem.allocate(o.frames(), o.frameSize(), 0))
        {
            if (program != null)
            {
                program.setPolicy(XskProgram.POLICY_IPV4_UDP, 0, 0);
            }
            try (XskSocket x1 = XskSocket.builder(umem).ifindex(ifindex).queue(o.queue()).ringSize(o.ring())
                    .needWakeup(o.needWakeup()).txBudget(o.txBudget()).open();
                XskSocket x2 = l2fwd && ifindex2 != ifindex ? XskSocket.builder(umem).ifindex(ifindex2)
                    .queue(o.queue()).ringSize(o.ring()).rxSize(0).txBudget(o.txBudget()).sharedWith(x1).open() : null)
            {
                XdpAttachment attachment = null;
                if (program != null)
                {
                    attachment = program.attach(ifindex, o.drvMode() ? XdpMode.DRV : XdpMode.SKB);
                }
                final XskScenario scenario = new XskScenario(o, umem, x1, x2);
                final double secs;
                try
                {
                    if (program != null)
                    {
                        x1.registerIn(program);
                    }
                    scenario.run();
                    secs = scenario.w.close(MeasurementWindow.now());
                    scenario.printStatistics();
                }
                finally
                {
                    // Detach first so that no frame is redirected to a closing socket.
                    if (attachment != null)
                    {
                        attachment.close();
                    }
                }
                final MeasurementWindow w = scenario.w;
                if (w.first == 0)
                {
                    System.err.printf(Locale.ROOT, "%s: no packet within %.1f s%n", PROG, o.startTimeout());
                }
                System.out.printf(Locale.ROOT,
                    "{\"impl\":\"java\",\"scenario\":\"%s\",\"packets\":%d,\"seconds\":%.3f,\"pps\":%.0f," +
                    "\"cpu_seconds\":%.3f,\"loop_thread_cpu_seconds\":%.3f}%n",
                    o.scenario(), w.packets, secs, secs > 0 ? w.packets / secs : 0.0, w.cpuEnd - w.cpuStart,
                    w.threadCpuEnd - w.threadCpuStart);
                return SignalStop.requested() ? 130 : w.first == 0 ? 2 : 0;
            }
        }
    }

    private void run()
    {
        final boolean api = o.socketApi();
        switch (o.scenario())
        {
            case "rxdrop" ->
            {
                if (api)
                {
                    rxdropSocket();
                }
                else
                {
                    rxdrop();
                }
            }
            case "txonly" ->
            {
                if (api)
                {
                    txonlySocket();
                }
                else
                {
                    txonly();
                }
            }
            default ->
            {
                if (api)
                {
                    l2fwdAgent();
                }
                else
                {
                    l2fwd();
                }
            }
        }
    }

    // ---- the frame pool, as in xsk_ref ---------------------------------------------------------------------------

    /** Moves as many pool frames as the fill ring takes into it. */
    private void refill(final FillRing fill)
    {
        final int n = fill.reserve(pool.available());
        for (int i = 0; i < n; i++)
        {
            fill.set(i, pool.acquire());
        }
        if (n > 0)
        {
            fill.submit();
        }
    }

    /** Takes up to --batch completed TX frames back into the pool; returns how many. */
    private int reclaim(final CompletionRing completion)
    {
        final int n = completion.peek(o.batch());
        for (int i = 0; i < n; i++)
        {
            pool.release(umem.frameBase(completion.address(i)));
        }
        if (n > 0)
        {
            completion.release();
        }
        return n;
    }

    /**
     * The kick rule of xsk_ref: sendto() only while the TX ring holds descriptors the kernel has not taken, and with
     * need-wakeup only when the kernel sets the TX ring's flag.
     */
    private void kickTx(final XskSocket x)
    {
        final TxRing tx = x.txRing();
        if (tx.outstanding() == 0 || (o.needWakeup() && !tx.needsWakeup()))
        {
            return;
        }
        x.kickTx();
    }

    private void waitRx(final XskSocket x)
    {
        if (o.needWakeup() && x.fillRing().needsWakeup())
        {
            x.wakeRx();
        }
        x.poll(Poll.POLLIN, 100);
    }

    private boolean noStart(final double t0)
    {
        return w.first == 0 && MeasurementWindow.now() - t0 >= o.startTimeout();
    }

    // ---- scenarios -----------------------------------------------------------------------------------------------

    private void rxdrop()
    {
        final XskSocket x = x1;
        final FillRing fill = x.fillRing();
        final RxRing rx = x.rxRing();
        final int batch = o.batch();
        final double t0 = MeasurementWindow.now();
        while (!SignalStop.requested())
        {
            refill(fill);
            final int n = rx.peek(batch);
            if (n == 0)
            {
                if (w.add(MeasurementWindow.now(), 0) || noStart(t0))
                {
                    break;
                }
                waitRx(x);
                continue;
            }
            for (int i = 0; i < n; i++)
            {
                pool.release(umem.frameBase(rx.address(i)));
            }
            rx.release();
            if (w.add(MeasurementWindow.now(), n))
            {
                break;
            }
        }
    }

    private void txonly()
    {
        final XskSocket x = x1;
        final TxRing tx = x.txRing();
        final CompletionRing completion = x.completionRing();
        final int batch = o.batch();
        final int frameLen = o.frameLen();
        buildTestFrames();
        while (!SignalStop.requested())
        {
            final int done = reclaim(completion);
            final int n = tx.reserve(Math.min(batch, pool.available()));
            for (int i = 0; i < n; i++)
            {
                tx.set(i, pool.acquire(), frameLen);
            }
            if (n > 0)
            {
                tx.submit();
                if (w.first == 0)
                {
                    w.first = MeasurementWindow.now(); // the window starts at the first submit
                }
            }
            kickTx(x);
            if (w.add(MeasurementWindow.now(), done))
            {
                break;
            }
        }
    }

    private void l2fwd()
    {
        final XskSocket in = x1;
        final XskSocket out = x2 != null ? x2 : x1;
        final FillRing fill = in.fillRing();
        final RxRing rx = in.rxRing();
        final TxRing tx = out.txRing();
        final CompletionRing completion = out.completionRing();
        final MemorySegment memory = this.memory;
        final int batch = o.batch();
        int outstanding = 0;
        final double t0 = MeasurementWindow.now();
        while (!SignalStop.requested())
        {
            final int done = reclaim(completion);
            outstanding -= done;
            refill(fill);
            if (w.add(MeasurementWindow.now(), done) || noStart(t0))
            {
                break;
            }
            final int n = rx.peek(batch);
            final int t = tx.reserve(n);
            rx.cancel(n - t); // what the TX ring cannot take stays in the RX ring for the next turn
            if (t > 0)
            {
                if (w.first == 0)
                {
                    w.first = MeasurementWindow.now(); // the window starts at the first forwarded frame
                }
                for (int i = 0; i < t; i++)
                {
                    final long address = rx.address(i);
                    swapMacs(memory, address);
                    tx.set(i, address, rx.length(i));
                }
                tx.submit();
                rx.release();
                outstanding += t;
            }
            kickTx(out);
            if (n == 0 && outstanding == 0)
            {
                waitRx(in);
            }
        }
    }

    // ---- the same scenarios on XskSocket's packet API and the XskForwarder agent (--api socket) -------------------

    /** rxdrop on {@link XskSocket#receive}: every frame handed to a handler that gives it straight back. */
    private void rxdropSocket()
    {
        final XskSocket x = x1;
        final PacketHandler drop = packet -> false;
        final int batch = o.batch();
        x.fillAll();
        final double t0 = MeasurementWindow.now();
        while (!SignalStop.requested())
        {
            final int n = x.receive(batch, drop);
            if (w.add(MeasurementWindow.now(), n) || noStart(t0))
            {
                break;
            }
            if (n == 0)
            {
                x.poll(Poll.POLLIN, 100);
            }
        }
    }

    /** txonly on {@link XskSocket#transmit}, {@link XskSocket#flush} and {@link XskSocket#complete}. */
    private void txonlySocket()
    {
        final XskSocket x = x1;
        final int batch = o.batch();
        final int frameLen = o.frameLen();
        buildTestFrames();
        while (!SignalStop.requested())
        {
            final int done = x.complete();
            int n = 0;
            for (long frame; n < batch && (frame = pool.acquire()) != FramePool.NO_FRAME; n++)
            {
                if (!x.transmit(frame, frameLen))
                {
                    pool.release(frame);
                    break;
                }
            }
            x.flush();
            if (n > 0 && w.first == 0)
            {
                w.first = MeasurementWindow.now();
            }
            if (w.add(MeasurementWindow.now(), done))
            {
                break;
            }
        }
    }

    /** l2fwd by the library's {@link XskForwarder} agent and its idle strategy; counts TX completions. */
    private void l2fwdAgent()
    {
        final XskSocket out = x2 != null ? x2 : x1;
        final MemorySegment memory = this.memory;
        final XskForwarder forwarder = new XskForwarder(x1, out, o.batch(), packet ->
        {
            swapMacs(memory, packet.address());
            return true;
        });
        final IdleStrategy idle = forwarder.idleStrategy(100);
        forwarder.onStart();
        final double t0 = MeasurementWindow.now();
        while (!SignalStop.requested())
        {
            final long completed = out.txCompleted();
            final int work = forwarder.doWork();
            if (w.first == 0 && forwarder.forwarded() > 0)
            {
                w.first = MeasurementWindow.now(); // the window starts at the first forwarded frame
            }
            if (w.add(MeasurementWindow.now(), out.txCompleted() - completed) || noStart(t0))
            {
                break;
            }
            idle.idle(work);
        }
        forwarder.onClose();
    }

    /** Writes the test frame into every UMEM frame (txonly sends them as they are). */
    private void buildTestFrames()
    {
        final byte[] srcMac = macOf(o.ifname());
        for (int i = 0; i < o.frames(); i++)
        {
            buildFrame(memory, umem.frameAddress(i), o.frameLen(), o.dstMac(), srcMac, o.srcIp(), o.dstIp());
        }
    }

    /** Swaps the 6-byte destination and source MAC addresses at {@code at}: two 8-byte reads, three writes. */
    static void swapMacs(final MemorySegment memory, final long at)
    {
        final long dst = memory.get(LONG, at);      // dst[0..5], src[0..1]
        final long src = memory.get(LONG, at + 6);  // src[0..5], ethertype
        memory.set(LONG, at + 6, (dst & MAC_MASK) | (src & ~MAC_MASK));
        memory.set(INT, at, (int)src);
        memory.set(SHORT, at + 4, (short)(src >>> 32));
    }

    /**
     * The test frame of lab_common.h: Ethernet (dst, src, 0x0800), IPv4 (IHL 5, total length len-14, DF, TTL 64, UDP,
     * header checksum), UDP 9 -> 9 with length len-34 and checksum 0, zero payload.
     */
    static void buildFrame(final MemorySegment seg, final long at, final int len, final byte[] dstMac,
        final byte[] srcMac, final byte[] srcIp, final byte[] dstIp)
    {
        seg.asSlice(at, len).fill((byte)0);
        MemorySegment.copy(dstMac, 0, seg, JAVA_BYTE, at, 6);
        MemorySegment.copy(srcMac, 0, seg, JAVA_BYTE, at + 6, 6);
        seg.set(NET_SHORT, at + 12, (short)0x0800);
        final long ip = at + 14;
        seg.set(JAVA_BYTE, ip, (byte)0x45);
        seg.set(NET_SHORT, ip + 2, (short)(len - 14));
        seg.set(JAVA_BYTE, ip + 6, (byte)0x40);
        seg.set(JAVA_BYTE, ip + 8, (byte)64);
        seg.set(JAVA_BYTE, ip + 9, (byte)17);
        MemorySegment.copy(srcIp, 0, seg, JAVA_BYTE, ip + 12, 4);
        MemorySegment.copy(dstIp, 0, seg, JAVA_BYTE, ip + 16, 4);
        int sum = 0;
        for (int i = 0; i < 20; i += 2)
        {
            sum += seg.get(NET_SHORT, ip + i) & 0xffff;
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        seg.set(NET_SHORT, ip + 10, (short)~sum);
        final long udp = at + 34;
        seg.set(NET_SHORT, udp, (short)9);
        seg.set(NET_SHORT, udp + 2, (short)9);
        seg.set(NET_SHORT, udp + 4, (short)(len - 34));
    }

    private static byte[] macOf(final String ifname)
    {
        try
        {
            final NetworkInterface nif = NetworkInterface.getByName(ifname);
            final byte[] mac = nif == null ? null : nif.getHardwareAddress();
            if (mac == null || mac.length != 6)
            {
                throw new IllegalStateException("no Ethernet address for " + ifname);
            }
            return mac;
        }
        catch (final SocketException ex)
        {
            throw new IllegalStateException("SIOCGIFHWADDR " + ifname + ": " + ex.getMessage(), ex);
        }
    }

    /** With XSK_REF_STATS=1 in the environment: the sockets' XDP_STATISTICS on stderr, as xsk_ref prints them. */
    private void printStatistics()
    {
        if (!"1".equals(System.getenv("XSK_REF_STATS")))
        {
            return;
        }
        print(x1, o.ifname());
        if (x2 != null)
        {
            print(x2, o.ifname2());
        }
        // The JVM's threads and the CPU each used since the start (the loop thread is "main").
        final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (final java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds()))
        {
            if (t != null)
            {
                System.err.printf(Locale.ROOT, "%s: thread %-28s cpu %8.1f ms%n", PROG, t.getThreadName(),
                    threads.getThreadCpuTime(t.getThreadId()) * 1e-6);
            }
        }
    }

    private static void print(final XskSocket x, final String name)
    {
        final XskStatistics st = x.statistics();
        System.err.printf(Locale.ROOT, "%s: %s: rx_dropped %d rx_invalid_descs %d tx_invalid_descs %d rx_ring_full %d" +
            " rx_fill_ring_empty_descs %d tx_ring_empty_descs %d%n", PROG, name, st.rxDropped(),
            st.rxInvalidDescriptors(), st.txInvalidDescriptors(), st.rxRingFull(), st.rxFillRingEmpty(),
            st.txRingEmpty());
    }
}
