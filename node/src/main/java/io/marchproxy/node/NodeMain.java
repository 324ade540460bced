package io.marchproxy.node;

import io.helidon.logging.common.LogConfig;
import io.marchproxy.control.ControlPlane;
import io.marchproxy.control.ControlPlaneMain;
import io.marchproxy.control.ControlPlaneSettings;
import io.marchproxy.control.xds.XdsSettings;
import io.marchproxy.dataplane.bpf.XskProgram;

import java.util.concurrent.CountDownLatch;

/**
 * A MarchProxy node: the control plane on its embedded durable store (REST under {@code /api/v1}, config from
 * {@code application.yaml} and the environment) plus the dataplane, whose XDP service map follows the L4 services of
 * the node's cluster. With no {@code --interface} the dataplane runs on a veth lab with UDP traffic to port
 * {@value LabDataplane#LAB_PORT}; create a udp service on that port in the cluster and the {@code svc_matched} column
 * moves. Prints live counters until Ctrl-C or {@code --seconds}; removes everything it made on exit.
 *
 * <pre>
 * NodeMain [--cluster NAME] [--interface IF [--netns NS]] [--mode skb|drv] [--seconds N] [--pps N]
 * </pre>
 */
public final class NodeMain
{
    /** The cluster a node serves unless told otherwise. */
    public static final String DEFAULT_CLUSTER = "default";

    private NodeMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        LogConfig.configureRuntime();
        final LabOptions options;
        final String cluster;
        try
        {
            options = LabOptions.parse(args);
            cluster = clusterOption(options);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println(ex.getMessage());
            System.err.println("usage: NodeMain [--cluster NAME] " + LabOptions.USAGE);
            System.exit(2);
            return;
        }
        final ShutdownSignal signal = ShutdownSignal.install("node-stop", 15);
        final CountDownLatch stop = signal.stop();
        try
        {
            run(options, cluster, stop);
        }
        catch (final Exception ex)
        {
            System.err.println("marchproxy: " + ex.getMessage());
            signal.finished();
            System.exit(1);
        }
        signal.finished();
    }

    private static String clusterOption(final LabOptions options)
    {
        String cluster = DEFAULT_CLUSTER;
        final var rest = options.rest();
        for (int i = 0; i < rest.size(); i++)
        {
            if (rest.get(i).equals("--cluster") && i + 1 < rest.size())
            {
                cluster = rest.get(++i);
            }
            else
            {
                throw new IllegalArgumentException("unknown option " + rest.get(i));
            }
        }
        return cluster;
    }

    static void run(final LabOptions options, final String cluster, final CountDownLatch stop) throws Exception
    {
        final io.helidon.config.Config config = ControlPlaneMain.config();
        final ControlPlaneSettings settings = ControlPlaneSettings.fromConfig(config);
        final XdsSettings xds = XdsSettings.fromConfig(config);
        try (ControlPlane plane = ControlPlane.start(settings, xds, System.out);
             LabDataplane dataplane = LabDataplane.start(options,
                 XskProgram.POLICY_IPV4_UDP | XskProgram.POLICY_IPV4_TCP | XskProgram.POLICY_SERVICES, System.out))
        {
            System.out.printf("control plane: http://%s:%d/api/v1 (data in %s), serving cluster '%s'%n",
                settings.host(), plane.port(), settings.dataDir().toAbsolutePath(), cluster);
            if (xds.enabled())
            {
                System.out.printf("xds: Envoy ADS on %s:%d (bootstrap: GET /api/v1/envoy/bootstrap?cluster=%s)%n",
                    xds.host(), xds.port(), cluster);
            }
            final ServicePortSync sync = new ServicePortSync(plane.store(), plane.publisher(), cluster, dataplane.program());
            try (AutoCloseable ignored = plane.publisher().subscribe(sync))
            {
                sync.apply();
                if (dataplane.lab() != null)
                {
                    System.out.printf("hint: create a udp service on port %d in cluster '%s' and svc_matched moves%n",
                        LabDataplane.LAB_PORT, cluster);
                }
                CounterTable.print(dataplane.program(), options.seconds(), stop, System.out,
                    "config_version services", () -> String.format("%14d %8d", sync.appliedVersion(), sync.serviceCount()));
            }
        }
        System.out.println("node: stopped; XDP detached, store closed");
    }
}
