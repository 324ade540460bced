package io.marchproxy.control;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import io.marchproxy.control.xds.XdsSettings;

import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * Starts a control plane node from {@code application.yaml} (class path, or the file named by {@code -Dconfig.file}),
 * with environment variables overriding any key ({@code SERVER_PORT}, {@code MARCHPROXY_STORE_DIR}, ...). Runs until
 * the JVM is asked to stop; the store is closed cleanly on SIGTERM.
 */
public final class ControlPlaneMain {
    private static final Logger LOG = Logger.getLogger(ControlPlaneMain.class.getName());

    private ControlPlaneMain() {
    }

    /**
     * The configuration: environment variables, then system properties, then the file named by {@code -Dconfig.file}
     * or {@code application.yaml} on the class path.
     */
    public static Config config() {
        return System.getProperty("config.file") == null ? Config.create()
                : Config.builder().addSource(io.helidon.config.ConfigSources.environmentVariables())
                .addSource(io.helidon.config.ConfigSources.systemProperties())
                .addSource(io.helidon.config.ConfigSources.file(System.getProperty("config.file")))
                .build();
    }

    public static void main(String[] args) throws Exception {
        LogConfig.configureRuntime();
        Config config = config();
        ControlPlaneSettings settings = ControlPlaneSettings.fromConfig(config);
        ControlPlane plane = ControlPlane.start(settings, XdsSettings.fromConfig(config), System.out);
        if (plane.xds() != null) {
            LOG.info(() -> "xDS for Envoy listening on " + plane.xds().settings().host() + ":" + plane.xds().port());
        }
        LOG.info(() -> "MarchProxy control plane listening on " + settings.host() + ":" + plane.port()
                + ", data in " + settings.dataDir().toAbsolutePath());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            plane.close();
            stopped.countDown();
        }, "control-plane-shutdown"));
        stopped.await();
    }
}
