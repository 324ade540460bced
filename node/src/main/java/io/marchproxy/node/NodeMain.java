package io.marchproxy.node;

import io.helidon.logging.common.LogConfig;
import io.marchproxy.control.ControlPlane;
import io.marchproxy.control.ControlPlaneMain;
import io.marchproxy.control.ControlPlaneSettings;
import io.marchproxy.control.xds.XdsSettings;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.netns.NetNamespace;
import io.marchproxy.dataplane.proxy.L4Proxy;
import io.marchproxy.dataplane.proxy.ProxyConfig;
import io.marchproxy.dataplane.proxy.ProxySettings;
import io.marchproxy.lab.L4Lab;
import io.marchproxy.lab.ServerReply;
import io.marchproxy.lab.Transport;

import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.time.Clock;
import java.util.Collections;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/**
 * A MarchProxy node: the control plane on its embedded durable store (REST under {@code /api/v1}, xDS, config from
 * {@code application.yaml} and the environment) plus the L4 proxy on two interfaces, serving the tcp and udp services
 * of the node's cluster and following every change live. With no {@code --front}/{@code --back} it builds a lab (L4Lab:
 * clients, the node and three backends with real TCP and UDP servers), creates a lab cluster if there is none, and
 * sends lab traffic through the proxy. Prints a live table until Ctrl-C or {@code --seconds}; removes everything it
 * made on exit. Usage: {@link NodeOptions#USAGE}.
 */
public final class NodeMain
{
    private NodeMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final NodeOptions options;
        try
        {
            options = NodeOptions.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println(ex.getMessage());
            System.err.println(NodeOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help())
        {
            System.out.println(NodeOptions.USAGE);
            return;
        }
        LogConfig.configureRuntime();
        final ShutdownSignal signal = ShutdownSignal.install("node-stop", 15);
        try
        {
            run(options, signal.stop(), System.out);
        }
        catch (final Exception ex)
        {
            System.err.println("marchproxy: " + ex.getMessage());
            signal.finished();
            System.exit(1);
        }
        signal.finished();
    }

    static void run(final NodeOptions options, final CountDownLatch stop, final PrintStream out) throws Exception
    {
        final io.helidon.config.Config config = ControlPlaneMain.config();
        final ControlPlaneSettings settings = ControlPlaneSettings.fromConfig(config);
        final XdsSettings xds = XdsSettings.fromConfig(config);
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
            if (options.lab())
            {
                runLab(options, plane, stop, out, clock);
            }
            else
            {
                runOn(options, plane, stop, out, clock);
            }
        }
        out.println("node: stopped; XDP detached, store closed");
    }

    private static void runLab(final NodeOptions options, final ControlPlane plane, final CountDownLatch stop,
        final PrintStream out, final Clock clock) throws Exception
    {
        out.println("lab: building namespaces (2 clients, the node, 3 backends) and starting servers...");
        try (L4Lab lab = L4Lab.create(2, 3))
        {
            lab.startServers(Transport.TCP, LabSeed.BACKEND_TCP_PORT, ServerReply.NAME);
            lab.startServers(Transport.UDP, LabSeed.BACKEND_UDP_PORT, ServerReply.NAME);
            out.printf("lab: clients %s, node front %s (%s) back %s (%s), backends %s; VIPs %s%n",
                lab.clients().stream().map(c -> c.link().ipv4().getHostAddress()).toList(), lab.front().name(),
                lab.front().ipv4().getHostAddress(), lab.back().name(), lab.back().ipv4().getHostAddress(),
                lab.backends().stream().map(b -> b.link().ipv4().getHostAddress()).toList(), L4Lab.VIP_IPV4);
            LabSeed.seed(plane.store(), options.cluster(), lab, clock, out);
            final ProxySettings proxy = ProxySettings.of(lab.front().name(), lab.back().name(),
                IpAddress.of(lab.back().ipv4()), IpAddress.of(lab.back().ipv6())).withMode(options.mode())
                .withSnatPorts(options.snatPorts()).withOffloadFlows(options.offloadFlows());
            serve(options, plane, lab.node(), proxy, stop, out, clock, lab);
        }
    }

    private static void runOn(final NodeOptions options, final ControlPlane plane, final CountDownLatch stop,
        final PrintStream out, final Clock clock) throws Exception
    {
        final NetNamespace ns = options.netns() == null ? null : NetNamespace.existing(options.netns());
        final InetAddress[] snat = ns == null ? addresses(options.back()) : ns.call(() -> addresses(options.back()));
        final ProxySettings proxy = ProxySettings.of(options.front(), options.back(),
            snat[0] == null ? null : IpAddress.of(snat[0]), snat[1] == null ? null : IpAddress.of(snat[1]))
            .withMode(options.mode()).withSnatPorts(options.snatPorts()).withOffloadFlows(options.offloadFlows());
        out.printf("dataplane: front %s, back %s (SNAT %s %s ports %s)%s%n", options.front(), options.back(),
            snat[0], snat[1], options.snatPorts(), ns == null ? "" : " in namespace " + ns.name());
        serve(options, plane, ns, proxy, stop, out, clock, null);
    }

    /** The back interface's first IPv4 and first global IPv6 address (either may be null). */
    private static InetAddress[] addresses(final String name) throws Exception
    {
        final NetworkInterface nif = NetworkInterface.getByName(name);
        if (nif == null)
        {
            throw new IllegalArgumentException("no interface " + name + " (ip link shows them)");
        }
        InetAddress v4 = null;
        InetAddress v6 = null;
        for (final InetAddress a : Collections.list(nif.getInetAddresses()))
        {
            if (a instanceof Inet4Address && v4 == null)
            {
                v4 = a;
            }
            else if (a instanceof Inet6Address && !a.isLinkLocalAddress() && v6 == null)
            {
                v6 = a;
            }
        }
        if (v4 == null && v6 == null)
        {
            throw new IllegalArgumentException(name + " has no address to take SNAT source addresses from");
        }
        return new InetAddress[]{v4, v6};
    }

    private static void serve(final NodeOptions options, final ControlPlane plane, final NetNamespace ns,
        final ProxySettings settings, final CountDownLatch stop, final PrintStream out, final Clock clock,
        final L4Lab lab) throws Exception
    {
        try (L4Proxy proxy = L4Proxy.start(ns, settings, ProxyConfig.EMPTY))
        {
            final L4Dataplane dataplane = new L4Dataplane(plane.store(), plane.publisher(), options.cluster(), proxy,
                clock);
            try (AutoCloseable ignored = plane.publisher().subscribe(dataplane))
            {
                dataplane.apply(null);
                out.printf("dataplane: L4 proxy on %s -> %s (%s XDP), %d service(s) of cluster '%s'%n",
                    settings.front(), settings.back(), settings.mode(), dataplane.serviceCount(), options.cluster());
                if (lab == null)
                {
                    LiveTable.print(proxy, dataplane, options.seconds(), stop, out, () -> "");
                    return;
                }
                try (LabTraffic traffic = new LabTraffic(lab, options.rate()))
                {
                    final Supplier<String> extra = () -> " | lab answers " + traffic.answers() + " failed "
                        + traffic.failures();
                    LiveTable.print(proxy, dataplane, options.seconds(), stop, out, extra);
                }
            }
        }
    }
}
