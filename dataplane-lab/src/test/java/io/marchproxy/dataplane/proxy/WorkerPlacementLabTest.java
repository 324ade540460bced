package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.acl.AccessAction;
import io.marchproxy.dataplane.acl.AccessRule;
import io.marchproxy.dataplane.balance.Backend;
import io.marchproxy.dataplane.balance.BalancingAlgorithm;
import io.marchproxy.dataplane.cpu.CpuPolicy;
import io.marchproxy.dataplane.cpu.CpuSet;
import io.marchproxy.dataplane.cpu.ThreadAffinity;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.IpPrefix;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.net.PortRange;
import io.marchproxy.lab.L4Lab;
import io.marchproxy.lab.LabClient;
import io.marchproxy.lab.ServerReply;
import io.marchproxy.lab.Transport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where the worker runs, as the kernel shows it in {@code /proc/<pid>/task/<tid>/status}: pinned to the configured
 * core, with each idle strategy, and still forwarding; placed by the NUMA rule when cores are {@code auto} (here the
 * lab's interfaces live in another namespace: the fallback says so); refused with a message when the core does not
 * exist.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WorkerPlacementLabTest
{
    private static L4Lab lab;
    private static ProxyConfig config;

    @BeforeAll
    static void setUp()
    {
        lab = L4Lab.create(1, 1);
        lab.startServers(Transport.TCP, 8080, ServerReply.NAME);
        final ProxyService web = new ProxyService(0, "web", IpAddress.of(L4Lab.vip4(1)), L4Protocol.TCP,
            PortRange.of(80), BalancingAlgorithm.ROUND_ROBIN, List.of(new Backend(IpAddress.of(lab.backends().get(0)
                .link().ipv4()), 8080, 1, true)), null, false);
        config = new ProxyConfig(1, List.of(web), List.of(new AccessRule(0, AccessAction.ALLOW,
            List.of(IpPrefix.parse("0.0.0.0/0")), Set.of(0), Set.of(L4Protocol.TCP), List.of(PortRange.ALL))),
            AccessAction.DENY);
    }

    @AfterAll
    static void tearDown()
    {
        if (lab != null)
        {
            lab.close();
        }
    }

    private static ProxySettings settings(final CpuPolicy cores, final WorkerIdle idle)
    {
        return ProxySettings.of(lab.front().name(), lab.back().name(), IpAddress.of(lab.back().ipv4()), null)
            .withWorker(0, cores, idle, 1);
    }

    private static String status(final int tid, final String field) throws Exception
    {
        for (final String line : Files.readAllLines(Path.of("/proc/self/task/" + tid + "/status")))
        {
            if (line.startsWith(field + ":"))
            {
                return line.substring(field.length() + 1).strip();
            }
        }
        throw new AssertionError(field + " not in the status of task " + tid);
    }

    @Test
    void aConfiguredCoreIsWhatProcShowsForTheWorkerWithEveryIdleStrategy() throws Exception
    {
        final int[] allowed = ThreadAffinity.currentThread().toArray();
        final CpuSet core = CpuSet.of(allowed[allowed.length - 1]);
        for (final WorkerIdle idle : WorkerIdle.values())
        {
            try (L4Proxy proxy = L4Proxy.start(lab.node(), settings(CpuPolicy.of(core), idle), config))
            {
                final WorkerPlacement w = proxy.worker();
                assertEquals(core.toString(), status(w.threadId(), "Cpus_allowed_list"), w.toString());
                assertEquals("marchproxy-l4-f", status(w.threadId(), "Name"), "the kernel's name of the thread");
                assertEquals(core, w.allowed());
                assertEquals(idle, w.idle());
                assertTrue(w.placement().reason().contains("configured"), w.placement().reason());
                assertTrue(new LabClient(lab.clients().get(0)).tcp(new InetSocketAddress(L4Lab.vip4(1), 80), "x",
                    Duration.ofSeconds(3)).startsWith("backend"), idle + ": still forwarding");
            }
        }
        assertEquals(ThreadAffinity.currentThread().toArray().length, allowed.length, "the test's own thread unpinned");
    }

    @Test
    void autoFallsBackAndSaysWhyAndAMissingCoreIsRefused() throws Exception
    {
        try (L4Proxy proxy = L4Proxy.start(lab.node(), settings(CpuPolicy.AUTO, WorkerIdle.POLL), config))
        {
            final WorkerPlacement w = proxy.worker();
            assertTrue(w.placement().reason().contains("another network namespace"), w.placement().reason());
            assertEquals(w.allowed().toString(), status(w.threadId(), "Cpus_allowed_list"));
        }
        try (L4Proxy proxy = L4Proxy.start(lab.node(), settings(CpuPolicy.NONE, WorkerIdle.POLL), config))
        {
            assertFalse(proxy.worker().placement().pinned());
        }
        final Exception ex = assertThrows(IllegalArgumentException.class,
            () -> L4Proxy.start(lab.node(), settings(CpuPolicy.parse("1000"), WorkerIdle.POLL), config));
        assertTrue(ex.getMessage().contains("cores 1000"), ex.getMessage());
    }
}
