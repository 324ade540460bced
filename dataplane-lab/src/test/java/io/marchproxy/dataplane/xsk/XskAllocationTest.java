package io.marchproxy.dataplane.xsk;

import io.marchproxy.dataplane.bpf.XdpAttachment;
import io.marchproxy.dataplane.bpf.XdpMode;
import io.marchproxy.dataplane.bpf.XskProgram;
import io.marchproxy.dataplane.netns.Interfaces;
import io.marchproxy.lab.VethLab;
import io.marchproxy.ffm.libc.Poll;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The steady-state packet loops allocate nothing: the bytes this thread allocated, counted by the JVM
 * ({@code getCurrentThreadAllocatedBytes}), do not change over 100,000 packets sent by the kernel in the peer
 * namespace (but for one deoptimisation's few objects on a loaded machine: see {@link #assertNothingAllocated}). The receive loop peeks, hands each packet to the handler in place, releases, refills and polls when idle;
 * the forward loop ({@link XskForwarder} and its idle strategy) also rewrites each frame and transmits it on a
 * second interface through the shared UMEM, kicks, and takes completions back. A count, not a timing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class XskAllocationTest
{
    private static final int PORT = 7402;
    private static final int STEP = 10_000;
    /** 200,000 packets of warm-up (the JIT compiles the loop), then the 100,000 measured. */
    private static final int CHECKPOINTS = 31;
    private static final int MEASURED = 100_000;

    /** Reads the payload in place: the first 8 bytes after the UDP header of every packet. */
    private static final class Summing implements PacketHandler
    {
        long packets;
        long sum;

        @Override
        public boolean onPacket(final Packet packet)
        {
            sum += packet.frame().get(JAVA_LONG_UNALIGNED, packet.offset() + UdpFrames.HEADERS);
            packets++;
            return false;
        }
    }

    @Test
    void receiveLoopAllocatesNothing() throws Exception
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemoryEnabled());
        try (VethLab lab = VethLab.create();
            XskProgram program = XskProgram.load();
            Umem umem = Umem.allocate(4096, 4096, 0))
        {
            program.setPolicy(XskProgram.POLICY_IPV4_UDP, 0, 0);
            final int ifindex = lab.nsA().call(() -> Interfaces.index(lab.ifA()));
            try (XskSocket socket = lab.nsA().call(() ->
                XskSocket.builder(umem).ifindex(ifindex).ringSize(2048).txSize(0).open()))
            {
                final XdpAttachment attachment = lab.nsA().call(() -> program.attach(ifindex, XdpMode.DRV));
                socket.registerIn(program);
                socket.fillAll();
                final Sender sender = new Sender(lab, new InetSocketAddress(lab.ipA(), PORT));
                try
                {
                    final Summing handler = new Summing();
                    final Turn turn = () ->
                    {
                        final int n = socket.receive(64, handler);
                        if (n == 0)
                        {
                            socket.poll(Poll.POLLIN, 10);
                        }
                        return n;
                    };
                    final long[] marks = measure(turn, threads, System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
                    assertNothingAllocated(marks, "receive loop");
                    assertTrue(handler.sum != 0, "payloads were read");
                }
                finally
                {
                    sender.close();
                    lab.nsA().run(attachment::close);
                }
            }
        }
    }

    @Test
    void forwardLoopAllocatesNothing() throws Exception
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (VethLab lab = VethLab.createForwarding();
            XskProgram program = XskProgram.load();
            Umem umem = Umem.allocate(4096, 4096, 0))
        {
            program.setPolicy(XskProgram.POLICY_IPV4_UDP, 0, 0);
            final int ifA = lab.nsA().call(() -> Interfaces.index(lab.ifA()));
            try (XskSocket in = lab.nsA().call(() ->
                    XskSocket.builder(umem).ifindex(ifA).ringSize(2048).txSize(0).open());
                XskSocket out = lab.nsA().call(() ->
                    XskSocket.builder(umem).interfaceName(lab.ifC()).ringSize(2048).rxSize(0).sharedWith(in).open()))
            {
                final XdpAttachment attachment = lab.nsA().call(() -> program.attach(ifA, XdpMode.DRV));
                in.registerIn(program);
                in.fillAll();
                final Sender sender = new Sender(lab, new InetSocketAddress(lab.ipA(), PORT));
                try
                {
                    final MemorySegment memory = umem.segment();
                    // The library's forwarding agent: swap the Ethernet addresses in place and send the same frame
                    // out of the other interface; its own idle strategy between turns.
                    final XskForwarder forwarder = new XskForwarder(in, out, 64, packet ->
                    {
                        final long at = packet.address();
                        final long dst = memory.get(JAVA_LONG_UNALIGNED, at);
                        final long src = memory.get(JAVA_LONG_UNALIGNED, at + 6);
                        memory.set(JAVA_LONG_UNALIGNED, at + 6, (dst & 0xffff_ffff_ffffL) | (src & ~0xffff_ffff_ffffL));
                        memory.set(JAVA_INT_UNALIGNED, at, (int)src);
                        memory.set(JAVA_SHORT_UNALIGNED, at + 4, (short)(src >>> 32));
                        return true;
                    });
                    final IdleStrategy idle = forwarder.idleStrategy(10);
                    final Turn turn = () ->
                    {
                        final long before = forwarder.forwarded();
                        idle.idle(forwarder.doWork());
                        return (int)(forwarder.forwarded() - before);
                    };
                    final long[] marks = measure(turn, threads, System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
                    assertNothingAllocated(marks, "forward loop");
                    assertTrue(out.txCompleted() > MEASURED, "frames forwarded and completed: " + out.txCompleted());
                    assertEquals(0, forwarder.dropped(), "frames dropped by the forwarder");
                }
                finally
                {
                    sender.close();
                    lab.nsA().run(attachment::close);
                }
            }
        }
    }

    /** One turn of the loop under test; returns the packets it handled. */
    @FunctionalInterface
    private interface Turn
    {
        int run();
    }

    /**
     * Runs {@code turn} until {@link #CHECKPOINTS} x {@link #STEP} packets and notes this thread's allocated bytes
     * every {@link #STEP} packets. The notes are taken inside the loop, in a branch the JIT sees taken all along:
     * reading the counter after the loop returned would also count the deoptimisation of a compiled loop at its first
     * exit (the scalar-replaced objects it materialises), which is not the packet path allocating.
     */
    private static long[] measure(final Turn turn, final com.sun.management.ThreadMXBean threads, final long deadline)
    {
        final long[] marks = new long[CHECKPOINTS];
        int mark = 0;
        long packets = 0;
        long next = STEP;
        while (mark < CHECKPOINTS && System.nanoTime() < deadline)
        {
            packets += turn.run();
            if (packets >= next)
            {
                marks[mark++] = threads.getCurrentThreadAllocatedBytes();
                next += STEP;
            }
        }
        return marks;
    }

    private static void assertNothingAllocated(final long[] marks, final String loop)
    {
        assertTrue(marks[CHECKPOINTS - 1] != 0, loop + ": " + CHECKPOINTS * STEP + " packets before the deadline");
        final int last = CHECKPOINTS - 1;
        final int first = last - MEASURED / STEP;
        // Anything the loop allocates per packet, or every few thousand packets, shows in every window of STEP
        // packets. On a loaded machine one window may see a deoptimisation (a path not taken in the warm-up, e.g. an
        // empty ring while the sender waits for a core): the interpreter then materialises a few objects that the
        // compiled loop had scalar-replaced, once. So: at most one window may allocate, and at most a few hundred bytes.
        int allocating = 0;
        final StringBuilder windows = new StringBuilder();
        for (int i = first; i < last; i++)
        {
            final long bytes = marks[i + 1] - marks[i];
            windows.append(' ').append(bytes);
            if (bytes != 0)
            {
                allocating++;
            }
        }
        final long total = marks[last] - marks[first];
        final String detail = "bytes allocated by the " + loop + " per window of " + STEP + " packets over the last "
            + MEASURED + ":" + windows + " (warm-up " + (first + 1) * STEP + " packets, " + (marks[first] - marks[0])
            + " bytes)";
        assertTrue(allocating <= 1 && total <= 1024, detail);
    }

    /** Sends numbered datagrams from namespace B as fast as the kernel takes them, until closed. */
    private static final class Sender implements AutoCloseable
    {
        private final Thread thread;
        private volatile boolean running = true;

        Sender(final VethLab lab, final InetSocketAddress to)
        {
            thread = new Thread(() -> lab.nsB().run(() -> send(to)), "xsk-alloc-sender");
            thread.setDaemon(true);
            thread.start();
        }

        private void send(final InetSocketAddress to)
        {
            try (DatagramChannel ch = DatagramChannel.open())
            {
                ch.connect(to);
                final ByteBuffer buf = ByteBuffer.allocateDirect(64);
                long seq = 1;
                while (running)
                {
                    buf.clear();
                    buf.putLong(0, seq++);
                    ch.write(buf);
                }
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        }

        @Override
        public void close()
        {
            running = false;
            try
            {
                thread.join(5_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
