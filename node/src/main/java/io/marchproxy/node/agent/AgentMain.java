package io.marchproxy.node.agent;

import io.marchproxy.dataplane.netns.NetNamespace;
import io.marchproxy.dataplane.proxy.L4Proxy;
import io.marchproxy.dataplane.proxy.ProxyConfig;
import io.marchproxy.dataplane.proxy.ProxySettings;
import io.marchproxy.lab.L4Lab;
import io.marchproxy.node.DataplaneSettings;
import io.marchproxy.node.LiveTable;
import io.marchproxy.node.NodeLab;
import io.marchproxy.node.ProxyInterfaces;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code marchproxy agent}: the L4 dataplane alone, following a remote control plane ({@link Agent}) on two
 * interfaces, or on a lab of its own when given none. Runs until SIGINT/SIGTERM or {@code --seconds}, then detaches
 * XDP and removes what it made. {@code marchproxy agent} parses its options and runs it.
 */
public final class AgentMain
{
    private static final Duration POLL_WAIT = Duration.ofSeconds(30);
    private static final Duration MAX_RETRY = Duration.ofSeconds(5);

    private AgentMain()
    {
    }

    /**
     * Runs the agent until {@code stop} opens or {@code --seconds} pass, then detaches XDP and removes what it made.
     *
     * @param options   the agent's options
     * @param dataplane the dataplane's settings ({@code dataplane:} in the configuration, as for a node)
     * @param stop    opens when the process is asked to stop
     * @param out     where the agent's lines (and in a lab the live table) go
     * @throws Exception when the lab, the proxy or the agent cannot start
     */
    public static void run(final AgentOptions options, final DataplaneSettings dataplane, final CountDownLatch stop,
        final PrintStream out) throws Exception
    {
        if (options.lab())
        {
            try (L4Lab lab = NodeLab.create(out))
            {
                serve(options, lab.node(), dataplane.applyTo(ProxyInterfaces.lab(lab, options.dataplane().mode(),
                    options.dataplane().snatPorts())).withOffloadFlows(options.dataplane().offloadFlows()),
                    lab.front().ipv4().getHostAddress(), stop, out, lab);
            }
        }
        else
        {
            final ProxyInterfaces interfaces = new ProxyInterfaces(options.dataplane().front(),
                options.dataplane().back(), options.dataplane().netns(), options.dataplane().mode(),
                options.dataplane().snatPorts());
            final NetNamespace ns = interfaces.namespace();
            serve(options, ns, dataplane.applyTo(interfaces.settings(ns))
                    .withOffloadFlows(options.dataplane().offloadFlows()),
                options.address() != null ? options.address() : interfaces.frontAddress(ns), stop, out, null);
        }
        out.println("agent: stopped; XDP detached");
    }

    private static void serve(final AgentOptions options, final NetNamespace ns, final ProxySettings proxySettings,
        final String address, final CountDownLatch stop, final PrintStream out, final L4Lab lab) throws Exception
    {
        final Agent.Settings settings = new Agent.Settings(options.control(), options.key(), options.ca(),
            options.name() != null ? options.name() : hostname(), hostname(), address, options.heartbeat(),
            POLL_WAIT, MAX_RETRY);
        try (L4Proxy proxy = L4Proxy.start(ns, proxySettings, ProxyConfig.EMPTY);
             Agent agent = Agent.start(settings, proxy))
        {
            out.printf("agent: L4 proxy on %s -> %s (%s XDP%s, SNAT %s %s), following cluster %s at %s as '%s'%n",
                proxySettings.front(), proxySettings.back(), proxySettings.mode(),
                ns == null ? "" : ", namespace " + ns.name(), proxySettings.snat4(), proxySettings.snat6(),
                agent.clusterId(), options.control(), settings.name());
            out.println("agent: worker " + proxy.worker());
            final long seconds = options.dataplane().seconds();
            if (lab != null)
            {
                LiveTable.show(proxy, agent.latency(), null, seconds, stop, out, lab, options.dataplane().rate());
            }
            else if (seconds > 0)
            {
                stop.await(seconds, TimeUnit.SECONDS);
            }
            else
            {
                stop.await();
            }
            final String drops = LiveTable.drops(proxy.snapshot());
            out.printf("agent: served config version %d; %d frames received, dropped by reason:%s%n",
                agent.appliedVersion(), proxy.received(), drops.isEmpty() ? " none" : drops);
        }
    }

    /** This host's name, as the kernel has it. */
    static String hostname()
    {
        try
        {
            final String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            return name.isEmpty() ? "localhost" : name;
        }
        catch (final IOException ex)
        {
            return "localhost";
        }
    }
}
