package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.acl.AccessAction;
import io.marchproxy.dataplane.bpf.L4Program;
import io.marchproxy.dataplane.counter.SingleWriterCounters;
import io.marchproxy.dataplane.proxy.ProxyStatistics.ServiceCounter;
import io.marchproxy.dataplane.qos.PriorityClass;
import io.marchproxy.dataplane.qos.ServiceQos;
import io.marchproxy.lab.Await;
import io.marchproxy.lab.EchoTransfer;
import io.marchproxy.lab.L4Lab;
import io.marchproxy.lab.LabClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The L4 proxy with flow offload on, on the L4 lab: every case of {@link L4ProxyLabTest} again, and what offload adds:
 * established flows are forwarded by the XDP program (the AF_XDP sockets see nothing of them while they move data),
 * hundreds of megabytes cross the node intact both ways, a revoked mapping stops an established offloaded flow at
 * once, and the same traffic through an offloading and a Java-only service delivers the same packets and bytes and
 * counts the same statistics.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class L4ProxyOffloadLabTest extends L4ProxyLabTest
{
    private static final int ECHO_TCP4 = 4;
    private static final int ECHO_UDP4 = 5;
    private static final int JAVA_ECHO_TCP4 = 8;
    private static final int JAVA_ECHO_UDP4 = 9;
    /** Through the node and back: 2 x this much crosses it. */
    private static final long BULK_BYTES = 256L << 20;

    @Override
    boolean offload()
    {
        return true;
    }

    @Test
    void shortConnectionsAreOffloadedOnceEstablishedAndHandedBackByTheirFin() throws Exception
    {
        final long offloaded = offload(OffloadCounter.OFFLOADED);
        final long handedBack = offload(OffloadCounter.HANDED_BACK);
        final Map<String, Integer> answers = spread(new LabClient(lab.clients().get(0)), L4Lab.vip4(1), false, 4);
        assertEquals(4, answers.values().stream().mapToInt(Integer::intValue).sum());
        // Counted from this test's start, not by ACTIVE == 0: the UDP flows other tests offloaded stay offloaded until
        // they idle out, whichever order the tests run in.
        await(() -> offload(OffloadCounter.HANDED_BACK) - handedBack >= offload(OffloadCounter.OFFLOADED) - offloaded,
            "every short connection handed back with its FIN");
        assertTrue(offload(OffloadCounter.OFFLOADED) - offloaded >= 1, "connections were offloaded once established");
    }

    @Test
    void framesOfAnOffloadedFlowSkipUserSpace() throws Exception
    {
        final LabClient client = new LabClient(lab.clients().get(0));
        for (final InetAddress vip : new InetAddress[]{L4Lab.vip4(1), L4Lab.vip6(1)})
        {
            final long offloaded = offload(OffloadCounter.OFFLOADED);
            try (Socket socket = client.tcpConnection(new InetSocketAddress(vip, ECHO_PORT), TIMEOUT))
            {
                EchoTransfer.exchange(socket, 1_000, 1);
                await(() -> offload(OffloadCounter.OFFLOADED) > offloaded, "the connection offloaded");
                final long userSpace = proxy.received();
                final long forwarded = proxy.program().counter(L4Program.Counter.FLOW_FORWARDED);
                EchoTransfer.exchange(socket, 16_000, 1_000); // 16 MB each way
                final long inXdp = proxy.program().counter(L4Program.Counter.FLOW_FORWARDED) - forwarded;
                final long inJava = proxy.received() - userSpace;
                assertTrue(inXdp > 20_000, vip + ": frames the XDP program forwarded: " + inXdp);
                assertTrue(inJava < 10, vip + ": frames the AF_XDP sockets received meanwhile: " + inJava + " "
                    + proxy.offloadCounters());
            }
        }
    }

    @Test
    void hundredsOfMegabytesCrossTheNodeIntact() throws Exception
    {
        final LabClient client = new LabClient(lab.clients().get(0));
        final long userSpace = proxy.received();
        final long forwarded = proxy.program().counter(L4Program.Counter.FLOW_FORWARDED);
        try (Socket socket = client.tcpConnection(new InetSocketAddress(L4Lab.vip4(1), ECHO_PORT), TIMEOUT))
        {
            final EchoTransfer.Result r = EchoTransfer.run(socket, BULK_BYTES, 7);
            System.out.printf("offloaded echo: %d MB each way in %.1f s (%.0f MB/s)%n", r.received() >> 20,
                r.nanos() / 1e9, r.megabytesPerSecond());
            assertTrue(r.intact(), () -> "sent " + r.sent() + " bytes (CRC32C " + Long.toHexString(r.sentCrc())
                + "), got back " + r.received() + " (" + Long.toHexString(r.receivedCrc()) + ")");
        }
        // In Java: the handshake, the frames already on their way to the socket when the flow was offloaded, and the
        // end. The writer half-closes as soon as it has written everything: its FIN hands the flow back, and what the
        // two ends still hold in their socket buffers (a few MB, more when the machine is loaded and the echo lags:
        // 4,377 frames once at load 6) crosses in Java, where closing connections belong. Without offload it would be
        // every frame, about 370,000.
        final long inJava = proxy.received() - userSpace;
        final long inXdp = proxy.program().counter(L4Program.Counter.FLOW_FORWARDED) - forwarded;
        assertTrue(inJava * 20 < inXdp, "the transfer's frames stayed in the kernel: " + inXdp + " forwarded by XDP, "
            + inJava + " reached user space " + proxy.offloadCounters());
    }

    @Test
    void aRevokedMappingStopsAnEstablishedOffloadedFlow() throws Exception
    {
        final LabClient stranger = new LabClient(lab.clients().get(1)); // admitted only by the rule for everyone
        final SingleWriterCounters offloads = proxy.offloadCounters();
        final long offloaded = offloads.get(OffloadCounter.OFFLOADED);
        try (Socket socket = stranger.tcpConnection(new InetSocketAddress(L4Lab.vip4(1), ECHO_PORT),
            Duration.ofMillis(800)))
        {
            EchoTransfer.exchange(socket, 1_000, 2);
            await(() -> offloads.get(OffloadCounter.OFFLOADED) > offloaded, "the connection offloaded");
            EchoTransfer.exchange(socket, 1_000, 10);
            final long revoked = proxy.statistics().service(ECHO_TCP4, ServiceCounter.FLOWS_REVOKED);
            final long aclDropped = proxy.program().counter(L4Program.Counter.ACL_DROPPED);
            try
            {
                proxy.apply(config(10, AccessAction.DENY));
                await(() -> proxy.statistics().service(ECHO_TCP4, ServiceCounter.FLOWS_REVOKED) > revoked,
                    "the flow closed by the proxy");
                socket.getOutputStream().write(new byte[100]);
                assertThrows(SocketTimeoutException.class, () -> socket.getInputStream().read(new byte[100]),
                    "nothing comes back once the mapping is gone");
                assertTrue(proxy.program().counter(L4Program.Counter.ACL_DROPPED) > aclDropped,
                    "the client's frames are dropped in XDP");
            }
            finally
            {
                proxy.apply(config(11, AccessAction.ALLOW));
            }
        }
    }

    /**
     * Disabling the backend of an offloaded flow takes the flow back to the Java path at once (counted as
     * INVALIDATED), where it drains: its frames go on both ways, and it is not offloaded again.
     */
    @Test
    void disablingTheBackendOfAnOffloadedFlowTakesItBackToDrainOnTheJavaPath() throws Exception
    {
        final LabClient client = new LabClient(lab.clients().get(0));
        final long offloaded = offload(OffloadCounter.OFFLOADED);
        try (Socket socket = client.tcpConnection(new InetSocketAddress(L4Lab.vip4(1), ECHO_PORT),
            Duration.ofMillis(800)))
        {
            EchoTransfer.exchange(socket, 1_000, 2);
            await(() -> offload(OffloadCounter.OFFLOADED) > offloaded, "the connection offloaded");
            final long invalidated = offload(OffloadCounter.INVALIDATED);
            try
            {
                proxy.apply(echoBackendsDisabled(12));
                await(() -> offload(OffloadCounter.INVALIDATED) > invalidated, "the flow taken back");
                final long offloadedBefore = offload(OffloadCounter.OFFLOADED);
                final long received = proxy.received();
                EchoTransfer.exchange(socket, 1_000, 20);
                assertTrue(proxy.received() - received >= 40, "the flow's frames went through the Java path");
                assertEquals(offloadedBefore, offload(OffloadCounter.OFFLOADED), "not offloaded again");
            }
            finally
            {
                proxy.apply(config(13, AccessAction.ALLOW));
            }
        }
    }

    @Test
    void theSnapshotSaysWhichServicesAreOffloadedAQosPolicyHoldingOneOnTheJavaPath() throws Exception
    {
        for (final ProxySnapshot.ServiceFigures sf : proxy.snapshot().services())
        {
            assertEquals(sf.service().offload(), sf.offloaded(), sf.service().name());
        }
        final ProxyConfig base = config(14, AccessAction.ALLOW);
        final List<ProxyService> services = new ArrayList<>();
        for (final ProxyService s : base.services())
        {
            services.add(s.index() != ECHO_TCP4 ? s : s.withQos(ServiceQos.ofClass(PriorityClass.P1)));
        }
        try
        {
            proxy.apply(new ProxyConfig(14, services, base.rules(), base.defaultAction()));
            for (final ProxySnapshot.ServiceFigures sf : proxy.snapshot().services())
            {
                assertEquals(sf.service().offload() && sf.service().index() != ECHO_TCP4, sf.offloaded(),
                    sf.service().name() + ": its switch, unless QoS holds it on the Java path");
            }
        }
        finally
        {
            proxy.apply(config(15, AccessAction.ALLOW));
        }
    }

    @Test
    void javaOnlyAndOffloadDeliverTheSamePacketsAndBytes() throws Exception
    {
        final LabClient client = new LabClient(lab.clients().get(0));
        final long forwarded = proxy.program().counter(L4Program.Counter.FLOW_FORWARDED);
        final long[] offloadedUdp = udpExchange(client, L4Lab.vip4(1), ECHO_UDP4);
        assertTrue(proxy.program().counter(L4Program.Counter.FLOW_FORWARDED) - forwarded > 100,
            "the offloading service's datagrams went through the XDP program");
        final long[] javaUdp = udpExchange(client, L4Lab.vip4(2), JAVA_ECHO_UDP4);
        assertArrayEquals(javaUdp, offloadedUdp,
            "datagrams and bytes delivered both ways, and the proxy's counts of them, Java-only vs offloaded");

        final EchoTransfer.Result offloadedTcp;
        final EchoTransfer.Result javaTcp;
        try (Socket socket = client.tcpConnection(new InetSocketAddress(L4Lab.vip4(1), ECHO_PORT), TIMEOUT))
        {
            offloadedTcp = EchoTransfer.run(socket, 8L << 20, 3);
        }
        try (Socket socket = client.tcpConnection(new InetSocketAddress(L4Lab.vip4(2), ECHO_PORT), TIMEOUT))
        {
            javaTcp = EchoTransfer.run(socket, 8L << 20, 3);
        }
        assertTrue(offloadedTcp.intact() && javaTcp.intact());
        assertEquals(javaTcp.receivedCrc(), offloadedTcp.receivedCrc(), "the same bytes came back both ways");
        assertTrue(proxy.statistics().service(JAVA_ECHO_TCP4, ServiceCounter.BYTES_TO_BACKENDS) > 8L << 20);
        assertTrue(proxy.statistics().service(ECHO_TCP4, ServiceCounter.BYTES_TO_BACKENDS) > 8L << 20);
    }

    /**
     * 300 request/response exchanges of varied sizes on one UDP socket (one flow) to {@code vip}:7, then the counts:
     * datagrams and bytes received by the client, and the deltas of the service's four traffic statistics once they
     * settle (an offloaded flow's are read from the kernel periodically).
     */
    private long[] udpExchange(final LabClient client, final InetAddress vip, final int service) throws Exception
    {
        final long[] before = traffic(service);
        long datagrams = 0;
        long bytes = 0;
        try (DatagramSocket socket = client.udpSocket(new InetSocketAddress(vip, ECHO_PORT), TIMEOUT))
        {
            final byte[] answer = new byte[2048];
            for (int i = 0; i < 300; i++)
            {
                final byte[] request = new byte[1 + (i * 37) % 1400];
                Arrays.fill(request, (byte)i);
                socket.send(new DatagramPacket(request, request.length));
                final DatagramPacket reply = new DatagramPacket(answer, answer.length);
                socket.receive(reply);
                assertEquals(request.length, reply.getLength());
                datagrams++;
                bytes += reply.getLength();
            }
        }
        final long[] settled = new long[4];
        await(() ->
        {
            final long[] now = traffic(service);
            for (int i = 0; i < 4; i++)
            {
                settled[i] = now[i] - before[i];
            }
            return settled[0] == 300 && settled[2] == 300;
        }, "the service's statistics count every datagram both ways");
        return new long[]{datagrams, bytes, settled[0], settled[1], settled[2], settled[3]};
    }

    private long[] traffic(final int service)
    {
        final ProxyStatistics s = proxy.statistics();
        return new long[]{s.service(service, ServiceCounter.PACKETS_TO_BACKENDS),
            s.service(service, ServiceCounter.BYTES_TO_BACKENDS), s.service(service, ServiceCounter.PACKETS_TO_CLIENTS),
            s.service(service, ServiceCounter.BYTES_TO_CLIENTS)};
    }

    private long offload(final OffloadCounter counter)
    {
        return proxy.offloadCounters().get(counter);
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        Await.until(what, Duration.ofSeconds(10), condition);
    }
}
