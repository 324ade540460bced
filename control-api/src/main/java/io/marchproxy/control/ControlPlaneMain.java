package io.marchproxy.control;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import io.marchproxy.control.xds.XdsSettings;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * Runs a control plane from {@code application.yaml} (class path, or the file named by {@code -Dconfig.file}), with
 * environment variables overriding any key ({@code SERVER_PORT}, {@code MARCHPROXY_STORE_DIR}, ...), until asked to
 * stop; the store is closed cleanly on SIGTERM. Operators run it as {@code marchproxy control-plane} (the node
 * module's command); {@link #main} stays for the scripts and tests that start a bare control plane from this module's
 * class path, and takes no arguments.
 */
public final class ControlPlaneMain {
    private static final Logger LOG = Logger.getLogger(ControlPlaneMain.class.getName());
    private static final String USAGE = """
            usage: java -cp control-api.jar:libs/* io.marchproxy.control.ControlPlaneMain
            Starts a control plane configured by application.yaml and the environment (SERVER_PORT,
            MARCHPROXY_STORE_DIR, ...; see docs/CONTROL-API.md) and runs until SIGTERM. It takes no arguments.
            Operators use the marchproxy command: marchproxy control-plane --help""";

    private ControlPlaneMain() {
    }

    /**
     * The configuration: environment variables, then system properties, then the file named by {@code -Dconfig.file}
     * or {@code application.yaml} on the class path.
     *
     * @return the configuration a control plane starts from
     */
    public static Config config() {
        return System.getProperty("config.file") == null ? Config.create()
                : Config.builder().addSource(io.helidon.config.ConfigSources.environmentVariables())
                .addSource(io.helidon.config.ConfigSources.systemProperties())
                .addSource(io.helidon.config.ConfigSources.file(System.getProperty("config.file")))
                .build();
    }

    /**
     * Starts a control plane from {@code config}, logs where it listens, and blocks until {@code stop} opens; then
     * closes it (final snapshot, store closed).
     *
     * @param config  the configuration ({@link #config()})
     * @param stop    opens when the process is asked to stop
     * @param console where the first admin password is printed, once
     * @throws Exception when the control plane cannot start
     */
    public static void run(Config config, CountDownLatch stop, PrintStream console) throws Exception {
        ControlPlaneSettings settings = ControlPlaneSettings.fromConfig(config);
        try (ControlPlane plane = ControlPlane.start(settings, XdsSettings.fromConfig(config), console)) {
            if (plane.xds() != null) {
                LOG.info(() -> "xDS for Envoy listening on " + plane.xds().settings().host() + ":"
                        + plane.xds().port());
            }
            LOG.info(() -> "MarchProxy control plane listening on " + settings.host() + ":" + plane.port()
                    + ", data in " + settings.dataDir().toAbsolutePath());
            stop.await();
        }
    }

    /**
     * Runs a control plane until SIGTERM. Any argument prints the usage instead of starting anything ({@code --help}
     * and {@code -h} exit 0, others 2).
     *
     * @param args none
     * @throws Exception when the control plane cannot start
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            boolean help = args[0].equals("--help") || args[0].equals("-h");
            (help ? System.out : System.err).println(USAGE);
            System.exit(help ? 0 : 2);
            return;
        }
        LogConfig.configureRuntime();
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "control-plane-shutdown"));
        try {
            run(config(), stop, System.out);
        } finally {
            stopped.countDown();
        }
    }
}
