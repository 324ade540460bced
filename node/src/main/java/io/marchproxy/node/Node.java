package io.marchproxy.node;

import io.marchproxy.control.ControlPlane;
import io.marchproxy.control.ControlPlaneSettings;
import io.marchproxy.control.xds.XdsSettings;
import io.marchproxy.dataplane.netns.NetNamespace;
import io.marchproxy.dataplane.proxy.ProxySettings;
import io.marchproxy.journal.FlowJournal;
import io.marchproxy.lab.L4Lab;

import java.io.PrintStream;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/**
 * A MarchProxy node: the control plane on its embedded durable store (REST under {@code /api/v1}, xDS, config from
 * {@code application.yaml} and the environment) plus the L4 proxy on two interfaces, serving the tcp and udp services
 * of the node's cluster and following every change live. With no front/back interfaces it builds a lab (L4Lab:
 * clients, the node and three backends with real TCP and UDP servers), creates a lab cluster if there is none, and
 * sends lab traffic through the proxy. Prints a live table until stopped or {@link NodeOptions#seconds()} passed;
 * removes everything it made on exit. {@code marchproxy node} and {@code marchproxy lab} run it.
 */
public final class Node
{
    private Node()
    {
    }

    /**
     * Runs the node with the control plane configured by {@code settings} and {@code xds} until {@code stop} opens or
     * {@link NodeOptions#seconds()} pass.
     *
     * @param options   the node's options
     * @param settings  the control plane's settings
     * @param xds       the xDS server's settings
     * @param dataplane the dataplane's settings ({@code dataplane:} in the configuration)
     * @param journal   the flow journal's settings, null for none
     * @param stop      opens when the process is asked to stop
     * @param out       where the node's lines and live table go
     * @throws Exception when the control plane, the lab or the proxy cannot start
     */
    public static void run(final NodeOptions options, final ControlPlaneSettings settings, final XdsSettings xds,
        final DataplaneSettings dataplane, final FlowJournal.Settings journal, final CountDownLatch stop,
        final PrintStream out) throws Exception
    {
        final Clock clock = Clock.systemUTC();
        try (ControlPlane plane = ControlPlane.start(settings, xds, out))
        {
            out.printf("control plane: http://%s:%d/api/v1 (data in %s), serving cluster '%s'%n", settings.host(),
                plane.port(), settings.dataDir().toAbsolutePath(), options.cluster());
            if (xds.enabled())
            {
                out.printf("xds: ADS on %s:%d (bootstrap: GET /api/v1/envoy/bootstrap?cluster=%s)%n", xds.host(),
                    plane.xds().port(), options.cluster());
            }
            out.println("dataplane settings: " + dataplane);
            if (options.lab())
            {
                runLab(options, dataplane, plane, journal, stop, out, clock);
            }
            else
            {
                runOn(options, dataplane, plane, journal, stop, out, clock);
            }
        }
        out.println("node: stopped; XDP detached, store closed");
    }

    private static void runLab(final NodeOptions options, final DataplaneSettings dataplane, final ControlPlane plane,
        final FlowJournal.Settings journal, final CountDownLatch stop, final PrintStream out, final Clock clock)
        throws Exception
    {
        try (L4Lab lab = NodeLab.create(out))
        {
            LabSeed.seed(plane.store(), options.cluster(), lab, clock, out);
            final ProxySettings proxy = dataplane.applyTo(ProxyInterfaces.lab(lab, options.mode(), options.snatPorts()))
                .withOffloadFlows(options.offloadFlows());
            serve(options, plane, lab.node(), proxy, journal, stop, out, clock, lab);
        }
    }

    private static void runOn(final NodeOptions options, final DataplaneSettings dataplane, final ControlPlane plane,
        final FlowJournal.Settings journal, final CountDownLatch stop, final PrintStream out, final Clock clock)
        throws Exception
    {
        final ProxyInterfaces interfaces = new ProxyInterfaces(options.front(), options.back(), options.netns(),
            options.mode(), options.snatPorts());
        final NetNamespace ns = interfaces.namespace();
        final ProxySettings proxy = dataplane.applyTo(interfaces.settings(ns))
            .withOffloadFlows(options.offloadFlows());
        out.printf("dataplane: front %s, back %s (SNAT %s %s ports %s)%s%n", options.front(), options.back(),
            proxy.snat4(), proxy.snat6(), options.snatPorts(), ns == null ? "" : " in namespace " + ns.name());
        serve(options, plane, ns, proxy, journal, stop, out, clock, null);
    }

    private static void serve(final NodeOptions options, final ControlPlane plane, final NetNamespace ns,
        final ProxySettings settings, final FlowJournal.Settings journal, final CountDownLatch stop,
        final PrintStream out, final Clock clock, final L4Lab lab) throws Exception
    {
        try (NodeDataplane node = NodeDataplane.start(plane, ns, settings, options.cluster(), journal, clock))
        {
            out.printf("dataplane: L4 proxy on %s -> %s (%s XDP), %d service(s) of cluster '%s'; flow journal %s%n",
                settings.front(), settings.back(), settings.mode(), node.dataplane().serviceCount(), options.cluster(),
                journal == null ? "off" : "in " + journal.dir().toAbsolutePath() + " (" + journal.retentionDays()
                    + " days)");
            out.println("dataplane: worker " + node.proxy().worker());
            LiveTable.show(node.proxy(), node.dataplane().latency(), node.journal(), options.seconds(), stop, out,
                lab, options.rate());
        }
    }
}
