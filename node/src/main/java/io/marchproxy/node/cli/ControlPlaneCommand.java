package io.marchproxy.node.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code marchproxy control-plane}: the control plane alone, no dataplane ({@link io.marchproxy.control.ControlPlaneMain}). */
@Command(name = "control-plane", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = {"Runs the control plane alone, without a dataplane: REST under http://127.0.0.1:8080/api/v1, health "
        + "and metrics under /observe, xDS for Envoy on 127.0.0.1:18000, its durable store in ./data. Configured by "
        + "application.yaml and the environment (SERVER_HOST, SERVER_PORT, MARCHPROXY_STORE_DIR, "
        + "MARCHPROXY_ADMIN_PASSWORD, ...); the first start prints the generated admin password once. Runs until "
        + "SIGTERM or Ctrl-C; needs no root.", ""})
final class ControlPlaneCommand implements Callable<Integer>
{
    @Mixin
    LogOptions log;

    @Override
    public Integer call() throws Exception
    {
        return Servers.runControlPlane(log);
    }
}
