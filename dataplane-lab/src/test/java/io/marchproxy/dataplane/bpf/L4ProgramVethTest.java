package io.marchproxy.dataplane.bpf;

import io.marchproxy.dataplane.netns.Interfaces;
import io.marchproxy.dataplane.xsk.Umem;
import io.marchproxy.dataplane.xsk.XskSocket;
import io.marchproxy.ffm.libc.Poll;
import io.marchproxy.lab.VethLab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The L4 program in the kernel, on a veth lab: frames to a service are dropped in XDP when the access rules deny
 * their source (counted there, none reaches the socket) and steered to the AF_XDP socket when they allow it; a new
 * generation changes the decision in one flip while traffic flows; port-range services and replies to a SNAT
 * address's port range are steered; anything else goes to the kernel.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class L4ProgramVethTest
{
    private static final int COUNT = 200;
    private static final int UDP = L4Program.IPPROTO_UDP;

    @Test
    void dropsDeniedSourcesInTheKernelAndSteersTheRest() throws Exception
    {
        try (VethLab lab = VethLab.create();
            L4Program program = L4Program.load();
            Umem umem = Umem.allocate(4096, 4096, 0))
        {
            final int ifindex = lab.nsA().call(() -> Interfaces.index(lab.ifA()));
            final InetAddress vip = InetAddress.getByName(lab.ipA());
            final InetAddress client = InetAddress.getByName(lab.ipB());
            try (XskSocket socket = lab.nsA().call(() -> XskSocket.builder(umem).ifindex(ifindex).queue(0)
                .ringSize(2048).open()))
            {
                socket.fillAll();
                program.registerSocket(ifindex, 0, socket.fd());
                final XdpAttachment xdp = lab.nsA().call(() -> program.attach(ifindex, XdpMode.DRV));
                try
                {
                    program.stage().defaultAction(L4Program.ACTION_ALLOW)
                        .service(vip, UDP, 9000, 1)
                        .serviceRange(vip, UDP, 9100, 9199, 2)
                        .access(1, client, 32, L4Program.ACTION_ALLOW,
                            List.of(new L4Program.AclSegment(9000, 9000, L4Program.ACTION_DENY)))
                        .commit(1);
                    program.setAddresses(Set.of(vip),
                        List.of(new L4Program.SnatRange(vip, UDP, 20000, 20010)));

                    send(lab, 9000);
                    awaitCounter(program, L4Program.Counter.ACL_DROPPED, COUNT);
                    assertEquals(0, drain(socket, 0), "denied frames never reach user space");

                    send(lab, 9150);
                    assertEquals(COUNT, drain(socket, COUNT, 1), "a port-range service is steered, stamped 1");
                    send(lab, 20005);
                    assertEquals(COUNT, drain(socket, COUNT, 0), "replies to a SNAT port are steered (no decision)");
                    assertEquals(COUNT, program.counter(L4Program.Counter.SNAT_RETURN));
                    final long passed = program.counter(L4Program.Counter.PASSED);
                    send(lab, 9001);
                    awaitCounter(program, L4Program.Counter.PASSED, passed + COUNT);
                    assertEquals(0, drain(socket, 0), "a port that is no service goes to the kernel");

                    // The next generation allows the client: one flip changes the decision.
                    program.stage().defaultAction(L4Program.ACTION_DENY)
                        .service(vip, UDP, 9000, 1)
                        .access(1, client, 24, L4Program.ACTION_ALLOW, List.of())
                        .commit(2);
                    assertEquals(0, program.liveGeneration());
                    send(lab, 9000);
                    assertEquals(COUNT, drain(socket, COUNT, 2), "allowed frames are steered, stamped 2");
                    assertEquals(2, program.kernelSequence());
                    assertEquals(COUNT, program.counter(L4Program.Counter.ACL_DROPPED), "no new drops");

                    // Default deny, no entry for the client's prefix: dropped in the kernel again.
                    program.stage().defaultAction(L4Program.ACTION_DENY).service(vip, UDP, 9000, 1).commit(3);
                    send(lab, 9000);
                    awaitCounter(program, L4Program.Counter.ACL_DROPPED, 2L * COUNT);
                    assertEquals(0, drain(socket, 0));
                }
                finally
                {
                    lab.nsA().run(xdp::close);
                }
            }
        }
    }

    private static void send(final VethLab lab, final int port)
    {
        lab.nsB().run(() ->
        {
            try (DatagramChannel ch = DatagramChannel.open())
            {
                final InetSocketAddress to = new InetSocketAddress(lab.ipA(), port);
                for (int i = 0; i < COUNT; i++)
                {
                    ch.send(ByteBuffer.wrap(new byte[]{(byte)i, 1, 2, 3}), to);
                }
            }
            catch (final java.io.IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
    }

    /** Receives until {@code expected} frames came or the socket stayed quiet for a while; returns how many. */
    private static int drain(final XskSocket socket, final int expected)
    {
        return drain(socket, expected, -1);
    }

    /**
     * As {@link #drain(XskSocket, int)}, checking that each frame starts with the program's header carrying
     * {@code sequence} (unless -1) in front of the UDP frame the client sent.
     */
    private static int drain(final XskSocket socket, final int expected, final long sequence)
    {
        final int[] n = {0};
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(expected == 0 ? 1 : 10);
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline && (n[0] < expected || expected == 0))
        {
            final int got = socket.receive(64, packet ->
            {
                final java.lang.foreign.MemorySegment frame = packet.frame();
                assertEquals(L4Layouts.META_MAGIC, frame.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED,
                    packet.offset() + L4Layouts.META_MAGIC_OFFSET), "the header in front of the frame");
                if (sequence >= 0)
                {
                    assertEquals(sequence, frame.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED,
                        packet.offset() + L4Layouts.META_SEQUENCE_OFFSET));
                }
                packet.skip((int)L4Layouts.META.byteSize());
                assertEquals(0x0800, ((frame.get(java.lang.foreign.ValueLayout.JAVA_BYTE, packet.offset() + 12) & 0xFF)
                    << 8) | (frame.get(java.lang.foreign.ValueLayout.JAVA_BYTE, packet.offset() + 13) & 0xFF),
                    "then the received Ethernet frame (IPv4)");
                n[0]++;
                return false;
            });
            if (got == 0)
            {
                if (n[0] >= expected && System.nanoTime() - quietSince > TimeUnit.MILLISECONDS.toNanos(300))
                {
                    break;
                }
                socket.poll(Poll.POLLIN, 20);
            }
            else
            {
                quietSince = System.nanoTime();
            }
        }
        return n[0];
    }

    private static void awaitCounter(final L4Program program, final L4Program.Counter c, final long atLeast)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (program.counter(c) < atLeast && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
        assertEquals(atLeast, program.counter(c), c.name());
    }
}
