package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.acl.AccessAction;
import io.marchproxy.dataplane.acl.AccessRule;
import io.marchproxy.dataplane.balance.Backend;
import io.marchproxy.dataplane.balance.BalancingAlgorithm;
import io.marchproxy.dataplane.bpf.L4Program;
import io.marchproxy.dataplane.conntrack.FlowTimeouts;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.IpPrefix;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.net.PortRange;
import io.marchproxy.dataplane.proxy.ProxyStatistics.ServiceCounter;
import io.marchproxy.lab.Await;
import io.marchproxy.lab.L4Lab;
import io.marchproxy.lab.LabClient;
import io.marchproxy.lab.ServerReply;
import io.marchproxy.lab.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Flow offload under pressure, on an L4 lab with a flow map for two flows and a UDP timeout of two seconds: flows
 * decided while the map is full stay on the Java path (counted) and lose nothing; an offloaded flow busy only in the
 * kernel outlives the timeout (the sweeper reads the program's last-seen time) while idle ones expire and give their
 * room back.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class L4OffloadPressureLabTest
{
    private static final int UDP_ECHO_PORT = 9001;
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @Test
    void aFullMapLeavesFlowsOnTheJavaPathAndIdleOnesGiveTheirRoomBack() throws Exception
    {
        try (L4Lab lab = L4Lab.create(1, 1))
        {
            lab.startServers(Transport.UDP, UDP_ECHO_PORT, ServerReply.ECHO);
            final ProxySettings settings = ProxySettings.of(lab.front().name(), lab.back().name(),
                IpAddress.of(lab.back().ipv4()), null).withOffloadFlows(2)
                .withTimeouts(FlowTimeouts.of(TIMEOUT, TIMEOUT, TIMEOUT, TIMEOUT));
            final ProxyService echo = new ProxyService(0, "echo", IpAddress.of(L4Lab.vip4(1)), L4Protocol.UDP,
                PortRange.of(7), BalancingAlgorithm.ROUND_ROBIN, List.of(new Backend(
                IpAddress.of(lab.backends().get(0).link().ipv4()), UDP_ECHO_PORT, 1, true)), null, false);
            final ProxyConfig config = new ProxyConfig(1, List.of(echo), List.of(new AccessRule(1,
                AccessAction.ALLOW, List.of(IpPrefix.parse("0.0.0.0/0")), Set.of(0), Set.of(L4Protocol.UDP),
                List.of(PortRange.ALL))), AccessAction.DENY);
            try (L4Proxy proxy = L4Proxy.start(lab.node(), settings, config))
            {
                final LabClient client = new LabClient(lab.clients().get(0));
                final InetSocketAddress vip = new InetSocketAddress(L4Lab.vip4(1), 7);
                awaitAnswer(client, vip); // the backend's MAC is resolved, its first answer back
                final long openedBefore = proxy.statistics().service(0, ServiceCounter.FLOWS_OPENED);
                final List<DatagramSocket> flows = new ArrayList<>();
                try
                {
                    for (int i = 0; i < 4; i++)
                    {
                        flows.add(client.udpSocket(vip, TIMEOUT));
                        exchange(flows.get(i), 10);
                    }
                    await(() -> counter(proxy, OffloadCounter.OFFLOADED) + counter(proxy, OffloadCounter.FAILED_FULL)
                        == 4, "every flow decided");
                    assertEquals(2, counter(proxy, OffloadCounter.OFFLOADED), proxy.offloadCounters().toString());
                    assertEquals(2, counter(proxy, OffloadCounter.FAILED_FULL), "two flows found the map full");

                    final long userSpace = proxy.received();
                    final long inXdp = proxy.program().counter(L4Program.Counter.FLOW_FORWARDED);
                    for (final DatagramSocket flow : flows)
                    {
                        exchange(flow, 20); // every flow still works: 2 x 20 frames each way
                    }
                    assertEquals(2 * 2 * 20, proxy.program().counter(L4Program.Counter.FLOW_FORWARDED) - inXdp,
                        "the offloaded flows' frames went through the XDP program");
                    assertEquals(2 * 2 * 20, proxy.received() - userSpace, "the others' through Java");

                    // Flow 0 keeps talking for twice the timeout, the others fall silent.
                    final long deadline = System.nanoTime() + 2 * TIMEOUT.toNanos();
                    while (System.nanoTime() < deadline)
                    {
                        exchange(flows.get(0), 1);
                        Thread.sleep(100);
                    }
                    await(() -> proxy.flows() == 1, "the idle flows expired");
                    assertEquals(1, counter(proxy, OffloadCounter.ACTIVE), "the busy one is still offloaded");
                    assertEquals(openedBefore + 4, proxy.statistics().service(0, ServiceCounter.FLOWS_OPENED),
                        "and was never closed and reopened");
                    final long opened = counter(proxy, OffloadCounter.OFFLOADED);
                    try (DatagramSocket late = client.udpSocket(vip, TIMEOUT))
                    {
                        exchange(late, 4);
                        await(() -> counter(proxy, OffloadCounter.OFFLOADED) > opened, "a new flow offloaded");
                    }
                    assertEquals(2, counter(proxy, OffloadCounter.FAILED_FULL));
                }
                finally
                {
                    for (final DatagramSocket flow : flows)
                    {
                        flow.close();
                    }
                }
            }
        }
    }

    private static void awaitAnswer(final LabClient client, final InetSocketAddress to) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true)
        {
            try
            {
                client.udp(to, "hello", Duration.ofMillis(300));
                return;
            }
            catch (final java.io.IOException ex)
            {
                assertTrue(System.nanoTime() < deadline, "no answer through the proxy within 20 s: " + ex);
                Thread.sleep(50);
            }
        }
    }

    /** {@code n} request/response exchanges; every answer must come. */
    private static void exchange(final DatagramSocket socket, final int n) throws Exception
    {
        final byte[] answer = new byte[256];
        for (int i = 0; i < n; i++)
        {
            final byte[] request = ("datagram " + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            socket.send(new DatagramPacket(request, request.length));
            final DatagramPacket reply = new DatagramPacket(answer, answer.length);
            socket.receive(reply);
            assertEquals(request.length, reply.getLength());
        }
    }

    private static long counter(final L4Proxy proxy, final OffloadCounter counter)
    {
        return proxy.offloadCounters().get(counter);
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        Await.until(what, Duration.ofSeconds(10), condition);
    }
}
