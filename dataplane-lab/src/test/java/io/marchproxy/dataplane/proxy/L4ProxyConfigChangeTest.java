package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.acl.AccessAction;
import io.marchproxy.dataplane.acl.AccessRule;
import io.marchproxy.dataplane.balance.Backend;
import io.marchproxy.dataplane.balance.BalancingAlgorithm;
import io.marchproxy.dataplane.bpf.L4Program;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.IpPrefix;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.net.PortRange;
import io.marchproxy.dataplane.packet.DropReason;
import io.marchproxy.lab.L4Lab;
import io.marchproxy.lab.LabClient;
import io.marchproxy.lab.LabHost;
import io.marchproxy.lab.LabServer;
import io.marchproxy.lab.ServerReply;
import io.marchproxy.lab.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A configuration change that moves a service to a backend it had disabled: the first new flows after
 * {@link L4Proxy#apply} returns go to that backend, none dropped for want of its MAC (the dataplane adopts the
 * configuration and the backend's links together), nor while the change is on its way. Twenty changes back and forth,
 * each followed at once by a burst of requests on new flows, with requests on new flows all along; without health
 * probes, and with UDP probes running all the time.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class L4ProxyConfigChangeTest
{
    private static final int UDP_PORT = 5353;
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** The first source port of the requests around the changes (the kernel's ephemeral ports start at 32768). */
    private static final int FIRST_SOURCE_PORT = 10_000;
    /** The service's address: VIP 1, port 53. */
    private static final InetSocketAddress VIP = new InetSocketAddress(L4Lab.vip4(1), 53);

    /**
     * One UDP service on VIP 1 port 53 over both backends, only {@code enabled} (0 or 1) taking flows, health-checked
     * by {@code probe} (or not, when null).
     */
    private static ProxyConfig config(final L4Lab lab, final long version, final int enabled, final HealthProbe probe)
    {
        return config(lab, version, new boolean[]{enabled == 0, enabled == 1}, probe);
    }

    /** The same with the backends {@code enabled} says enabled. */
    private static ProxyConfig config(
        final L4Lab lab, final long version, final boolean[] enabled, final HealthProbe probe)
    {
        final List<Backend> backends = new ArrayList<>();
        for (int b = 0; b < 2; b++)
        {
            backends.add(new Backend(IpAddress.of(lab.backends().get(b).link().ipv4()), UDP_PORT, 1, enabled[b]));
        }
        final ProxyService dns = new ProxyService(0, "dns", IpAddress.of(L4Lab.vip4(1)), L4Protocol.UDP,
            PortRange.of(53), BalancingAlgorithm.ROUND_ROBIN, backends, probe, false);
        final AccessRule anyone = new AccessRule(0, AccessAction.ALLOW, List.of(IpPrefix.parse("0.0.0.0/0")), Set.of(0),
            Set.of(L4Protocol.UDP), List.of(PortRange.ALL));
        return new ProxyConfig(version, List.of(dns), List.of(anyone), AccessAction.DENY);
    }

    /** How many applies each stage of {@link ApplyStages} timed so far. */
    private static long[] stageCounts(final L4Proxy proxy)
    {
        final long[] counts = new long[ApplyStages.Stage.values().length];
        for (final ApplyStages.Stage stage : ApplyStages.Stage.values())
        {
            counts[stage.ordinal()] = proxy.applyStages().snapshot(stage).getTotalCount();
        }
        return counts;
    }

    /** The proxy on {@code lab}'s node with {@link #config} version 1: backend 0 enabled, probed by {@code probe}. */
    private static L4Proxy start(final L4Lab lab, final HealthProbe probe) throws Exception
    {
        return L4Proxy.start(lab.node(), ProxySettings.of(lab.front().name(), lab.back().name(),
            IpAddress.of(lab.back().ipv4()), null), config(lab, 1, 0, probe));
    }

    private static String drops(final L4Proxy proxy)
    {
        final StringBuilder b = new StringBuilder();
        for (int i = 0; i < proxy.drops().length(); i++)
        {
            if (proxy.drops().get(i) != 0)
            {
                b.append(' ').append(proxy.drops().label(i)).append('=').append(proxy.drops().get(i));
            }
        }
        for (final L4Program.Counter c : L4Program.Counter.values())
        {
            b.append(" xdp.").append(c).append('=').append(proxy.program().counter(c));
        }
        b.append(" received=").append(proxy.received()).append(" flows=").append(proxy.flows());
        return b.toString();
    }

    @Test
    void aBackendTheChangeEnablesTakesTheFirstNewFlows() throws Exception
    {
        changesTakeEffectAtOnce(null);
    }

    /**
     * The same while health probes run all the time: a UDP probe waits its whole timeout (2 s here, every second) for
     * a port unreachable that does not come (the backends drop the probes' datagrams, as a server does with what it
     * cannot parse), and a change must neither wait for it nor leave the backend it enables without flows meanwhile.
     */
    @Test
    void aBackendTheChangeEnablesTakesTheFirstNewFlowsWhileProbesRun() throws Exception
    {
        changesTakeEffectAtOnce(new HealthProbe(Duration.ofSeconds(1), Duration.ofSeconds(2), null, 2));
    }

    /**
     * A proxy that starts with a health-checked UDP service serves it as soon as it knows its backends' MACs, without
     * waiting for the first probes (which take their whole 2 s timeout): the backends count as up until their probes
     * fail. Bounded at 1 s from the start, which itself waits at most 250 ms for the MACs.
     */
    @Test
    void aStartingProxyServesWithoutWaitingForItsFirstProbes() throws Exception
    {
        final HealthProbe probe = new HealthProbe(Duration.ofSeconds(1), Duration.ofSeconds(2), null, 2);
        try (L4Lab lab = L4Lab.create(1, 2))
        {
            lab.startServers(Transport.UDP, UDP_PORT, ServerReply.NAME);
            dropProbeDatagrams(lab);
            final LabClient client = new LabClient(lab.clients().get(0));
            final long started;
            try (L4Proxy proxy = start(lab, probe))
            {
                started = System.nanoTime();
                final String answer = firstAnswer(client, null, 0, lab, 10_000);
                final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                assertEquals(lab.backends().get(0).name(), answer, "the service answers; drops" + drops(proxy));
                assertTrue(millis < 1_000, "first answer " + millis + " ms after the start; drops" + drops(proxy));
            }
        }
    }

    /**
     * A backend the node's kernel has no neighbour entry for, enabled while the UDP probes of the other one wait their
     * timeout (2 s): the monitor asks the kernel to resolve it and reads its MAC again 20 ms later, probes or not, so
     * it takes new flows well within a second (it took a probe's timeout when the probes held the readings back).
     */
    @Test
    void aBackendWhoseMacTheKernelResolvesTakesFlowsWhileProbesWait() throws Exception
    {
        final HealthProbe probe = new HealthProbe(Duration.ofSeconds(1), Duration.ofSeconds(2), null, 2);
        try (L4Lab lab = L4Lab.create(1, 2);
             L4Proxy proxy = start(lab, probe))
        {
            lab.startServers(Transport.UDP, UDP_PORT, ServerReply.NAME);
            dropProbeDatagrams(lab);
            final LabClient client = new LabClient(lab.clients().get(0));
            final int[] sourcePort = {FIRST_SOURCE_PORT};
            assertEquals(lab.backends().get(0).name(), firstAnswer(client, sourcePort, 0, lab, 10_000),
                "backend 0 serves; drops" + drops(proxy));
            final String backend1 = lab.backends().get(1).link().ipv4().getHostAddress();
            lab.node().exec("ip", "neigh", "flush", "to", backend1, "dev", lab.back().name());
            assertEquals("", lab.node().exec("ip", "neigh", "show", "to", backend1).strip(), "no entry for backend 1");
            Thread.sleep(1_200); // a probe of backend 0 is waiting now (each waits 2 s, one every second)

            proxy.apply(config(lab, 2, new boolean[]{true, true}, probe));
            final long applied = System.nanoTime();
            final String answer = firstAnswer(client, sourcePort, 1, lab, 5_000);
            final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - applied);
            System.out.printf("a backend whose MAC the kernel resolved while probes waited: first answer %d ms after "
                + "the change%n", millis);
            assertEquals(lab.backends().get(1).name(), answer, "backend 1 serves; drops" + drops(proxy));
            assertTrue(millis < 1_000, "backend 1's first answer " + millis + " ms after the change; drops"
                + drops(proxy));
        }
    }

    /**
     * A UDP backend whose server went away is taken out by its probes: their datagram draws a port unreachable, two in
     * a row take it out, and every new flow goes to the other backend. (The probe once sent an empty buffer, which the
     * JDK does not send at all: no port unreachable ever came, and a UDP backend stayed up whatever happened to it.)
     */
    @Test
    void aUdpBackendWhoseServerWentAwayIsTakenOutByItsProbes() throws Exception
    {
        final HealthProbe probe = new HealthProbe(Duration.ofMillis(100), Duration.ofMillis(500), null, 2);
        try (L4Lab lab = L4Lab.create(1, 2);
             LabServer kept = LabServer.start(lab.backends().get(0), Transport.UDP, UDP_PORT, ServerReply.NAME);
             LabServer gone = LabServer.start(lab.backends().get(1), Transport.UDP, UDP_PORT, ServerReply.NAME);
             L4Proxy proxy = L4Proxy.start(lab.node(), ProxySettings.of(lab.front().name(), lab.back().name(),
                 IpAddress.of(lab.back().ipv4()), null), config(lab, 1, new boolean[]{true, true}, probe)))
        {
            // Port unreachables to one peer are rate-limited by the backend's kernel (one a second after a burst of
            // six): probes every 100 ms need them all, so backend 1's namespace sends them unlimited.
            lab.backends().get(1).namespace().exec("sysctl", "-qw", "net.ipv4.icmp_ratelimit=0");
            final LabClient client = new LabClient(lab.clients().get(0));
            final int[] sourcePort = {FIRST_SOURCE_PORT};
            assertEquals(lab.backends().get(1).name(), firstAnswer(client, sourcePort, 1, lab, 10_000),
                "both backends serve at first; drops" + drops(proxy));
            gone.close();
            final long closed = System.nanoTime();
            // New flows until ten in a row go to backend 0 (round robin alternates while backend 1 counts as up).
            int inARow = 0;
            while (inARow < 10 && System.nanoTime() - closed < TimeUnit.SECONDS.toNanos(10))
            {
                String answer;
                try
                {
                    answer = client.udp(VIP, "q", Duration.ofMillis(200), sourcePort[0]++);
                }
                catch (final IOException ex)
                {
                    answer = null; // a new flow sent to backend 1 before its probes failed
                }
                inARow = lab.backends().get(0).name().equals(answer) ? inARow + 1 : 0;
            }
            final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closed);
            System.out.printf("a UDP backend whose server went away: ten new flows in a row to the other %d ms after%n",
                millis);
            assertEquals(10, inARow, "new flows still went to the backend whose server went away, " + millis
                + " ms after; drops" + drops(proxy));
        }
    }

    /**
     * Makes each backend drop the UDP probes' datagrams (one newline) to the service port, as a server drops what it
     * cannot parse: a probe then waits its whole timeout. The lab's requests ("q", "b") pass.
     */
    private static void dropProbeDatagrams(final L4Lab lab)
    {
        for (final LabHost b : lab.backends())
        {
            b.namespace().exec("nft", "add", "table", "inet", "probe_drop");
            b.namespace().exec("nft", "add", "chain", "inet", "probe_drop", "in",
                "{ type filter hook input priority 0 ; }");
            b.namespace().exec("nft", "add", "rule", "inet", "probe_drop", "in", "udp", "dport",
                Integer.toString(UDP_PORT), "udp", "length", "9", "@th,64,8", "0x0a", "drop");
        }
    }

    /**
     * A probe whose socket the node's stack refuses at once (an nftables rule drops what the probes send backend 1,
     * so the UDP probe's write fails with EPERM) closes that socket: probing every 20 ms for two seconds leaves the
     * process's descriptors where they were (a socket a probe left open each time made it about 100 more).
     */
    @Test
    void aProbeTheStackRefusesLeavesNoSocketOpen() throws Exception
    {
        final HealthProbe probe = new HealthProbe(Duration.ofMillis(20), Duration.ofMillis(200), null, 2);
        try (L4Lab lab = L4Lab.create(1, 2))
        {
            lab.startServers(Transport.UDP, UDP_PORT, ServerReply.NAME);
            final String backend1 = lab.backends().get(1).link().ipv4().getHostAddress();
            lab.node().exec("nft", "add", "table", "inet", "probe_refused");
            lab.node().exec("nft", "add", "chain", "inet", "probe_refused", "out",
                "{ type filter hook output priority 0 ; }");
            lab.node().exec("nft", "add", "rule", "inet", "probe_refused", "out", "ip", "daddr", backend1, "udp",
                "dport", Integer.toString(UDP_PORT), "drop");
            try (L4Proxy proxy = L4Proxy.start(lab.node(), ProxySettings.of(lab.front().name(), lab.back().name(),
                IpAddress.of(lab.back().ipv4()), null), config(lab, 1, new boolean[]{true, true}, probe)))
            {
                Thread.sleep(500);
                final long before = openDescriptors();
                Thread.sleep(2_000);
                final long after = openDescriptors();
                assertTrue(after - before < 10,
                    "descriptors " + before + " -> " + after + " while probes were refused");
                final LabClient client = new LabClient(lab.clients().get(0));
                assertEquals(lab.backends().get(0).name(), firstAnswer(client, null, 0, lab, 5_000),
                    "backend 0 serves; drops" + drops(proxy));
            }
        }
    }

    private static long openDescriptors() throws IOException
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.count();
        }
    }

    /**
     * Requests until backend {@code wanted} answers, at most {@code millis}, each from the next of {@code sourcePort}
     * (a new flow each) or, when it is null, from a port the kernel picks; the last answer (null when none came).
     */
    private static String firstAnswer(
        final LabClient client, final int[] sourcePort, final int wanted, final L4Lab lab, final long millis)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        String answer = null;
        while (!lab.backends().get(wanted).name().equals(answer) && System.nanoTime() < deadline)
        {
            try
            {
                answer = sourcePort == null ? client.udp(VIP, "q", Duration.ofMillis(100))
                    : client.udp(VIP, "q", Duration.ofMillis(100), sourcePort[0]++);
            }
            catch (final IOException ex)
            {
                answer = null;
            }
        }
        return answer;
    }

    private void changesTakeEffectAtOnce(final HealthProbe probe) throws Exception
    {
        final ExecutorService burst = Executors.newFixedThreadPool(5);
        try (L4Lab lab = L4Lab.create(1, 2);
             L4Proxy proxy = start(lab, probe))
        {
            lab.startServers(Transport.UDP, UDP_PORT, ServerReply.NAME);
            if (probe != null)
            {
                dropProbeDatagrams(lab);
            }
            final LabClient client = new LabClient(lab.clients().get(0));
            // Both backends known to the kernel of the node (the monitor learns MACs from it, never from config).
            for (int enabled : new int[]{1, 0})
            {
                proxy.apply(config(lab, 2 - enabled, enabled, probe));
                assertEquals(lab.backends().get(enabled).name(), firstAnswer(client, null, enabled, lab, 20_000),
                    "warm-up through the proxy");
            }

            final long noBackendBefore = proxy.drops().get(DropReason.NO_BACKEND);
            // Source ports never used before in the test and below the kernel's ephemeral range: a port the kernel
            // picks could land on a flow still tracked from an earlier request, to the backend a change disabled.
            final AtomicInteger sourcePort = new AtomicInteger(FIRST_SOURCE_PORT);
            // Traffic meanwhile, on new flows one after another: none may find the service without a backend while a
            // change is on its way either (links made for the next configuration are not the current one's).
            final AtomicBoolean changing = new AtomicBoolean(true);
            final Future<?> background = burst.submit(() ->
            {
                while (changing.get())
                {
                    try
                    {
                        client.udp(VIP, "b", Duration.ofMillis(200), sourcePort.getAndIncrement());
                    }
                    catch (final IOException ex)
                    {
                        // counted by the proxy if it dropped it: checked below
                    }
                }
                return null;
            });
            final long[] stagesBefore = stageCounts(proxy);
            for (int change = 0; change < 20; change++)
            {
                final int enabled = change % 2 == 0 ? 1 : 0;
                proxy.apply(config(lab, 10 + change, enabled, probe));
                final List<Future<String>> answers = new ArrayList<>();
                for (int i = 0; i < 4; i++)
                {
                    final int port = sourcePort.getAndIncrement();
                    answers.add(burst.submit(() -> client.udp(VIP, "q", TIMEOUT, port)));
                }
                for (final Future<String> a : answers)
                {
                    final String answer;
                    try
                    {
                        answer = a.get();
                    }
                    catch (final ExecutionException ex)
                    {
                        throw new AssertionError("change " + change + ": no answer (" + ex.getCause() + "); drops "
                            + drops(proxy), ex);
                    }
                    assertEquals(lab.backends().get(enabled).name(), answer, "change " + change);
                }
            }
            changing.set(false);
            background.get();
            final long[] stagesAfter = stageCounts(proxy);
            for (final ApplyStages.Stage stage : ApplyStages.Stage.values())
            {
                assertEquals(20, stagesAfter[stage.ordinal()] - stagesBefore[stage.ordinal()],
                    "applies timed in stage " + stage);
            }
            assertEquals(noBackendBefore, proxy.drops().get(DropReason.NO_BACKEND),
                "new flows dropped for want of a backend around a change");
        }
        finally
        {
            burst.shutdownNow();
        }
    }
}
