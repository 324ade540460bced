package io.marchproxy.node.cli;

import io.helidon.config.Config;
import io.marchproxy.control.ControlPlaneMain;
import io.marchproxy.control.auth.ClusterKeys;
import io.marchproxy.control.xds.EnvoyBootstrap;
import io.marchproxy.control.xds.XdsSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;

/**
 * {@code marchproxy envoy-bootstrap}: the Envoy bootstrap {@code GET /api/v1/envoy/bootstrap} gives, made offline
 * from the cluster's API key: the xDS server accepts the key itself as the node's credential, and the cluster id is
 * part of the key, so neither the control plane nor an operator login is needed. Where the xDS server is and which CA
 * it presents come from the same configuration a control plane reads ({@code marchproxy.xds.advertisehost},
 * {@code port}, {@code tls.ca}); options override them.
 */
@Command(name = "envoy-bootstrap", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {"Writes an Envoy bootstrap for a cluster, offline, from the cluster's API key (the one its creation "
        + "returned, mpk.<clusterId>.<secret>): Envoy then takes everything else from the control plane's xDS. The "
        + "same as GET /api/v1/envoy/bootstrap, which puts a token derived from the key in place of the key. The "
        + "output holds the key: keep it secret (--output writes it readable by its owner only).", ""},
    footer = {"", "Example: MARCHPROXY_CLUSTER_KEY=$(jq -r .apiKey edge.json) marchproxy envoy-bootstrap --cluster edge "
        + "-o envoy.yaml && envoy -c envoy.yaml"})
final class EnvoyBootstrapCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--cluster-key-file", paramLabel = "FILE",
        description = "a file holding the cluster's API key (default: the environment's MARCHPROXY_CLUSTER_KEY; a key "
            + "is never taken from the command line, where other users could read it)")
    Path keyFile;

    @Option(names = "--cluster", paramLabel = "NAME",
        description = "the cluster's name, Envoy's node.cluster (default: the cluster id in the key)")
    String clusterName;

    @Option(names = "--node", paramLabel = "ID", description = "Envoy's node id (default: envoy-<cluster>)")
    String node;

    @Option(names = "--admin-port", paramLabel = "PORT", defaultValue = "9901",
        description = "Envoy's admin listener on 127.0.0.1 (default: ${DEFAULT-VALUE})")
    int adminPort;

    @Option(names = "--xds-host", paramLabel = "HOST",
        description = "where Envoy reaches the xDS server (default: marchproxy.xds.advertisehost)")
    String xdsHost;

    @Option(names = "--xds-port", paramLabel = "PORT", description = "the xDS server's port (default: "
        + "marchproxy.xds.port)")
    Integer xdsPort;

    @Option(names = "--ca", paramLabel = "PEM_FILE", description = "the CA that issued the xDS server's certificate, "
        + "for TLS (default: marchproxy.xds.tls' CA when TLS is configured; none: plain HTTP/2)")
    Path ca;

    @Option(names = "--client-cert", paramLabel = "PATH", description = "mutual TLS: the client certificate's path "
        + "on the Envoy host")
    String clientCert;

    @Option(names = "--client-key", paramLabel = "PATH", description = "mutual TLS: its private key's path on the "
        + "Envoy host")
    String clientKey;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write to FILE, mode 0600 (default: "
        + "standard output)")
    Path output;

    @Override
    public Integer call() throws IOException
    {
        final String key = key();
        final String clusterId = ClusterKeys.clusterIdOf(key).orElseThrow(() -> new ParameterException(
            spec.commandLine(), "that is not a cluster API key (mpk.<clusterId>.<secret>, as the cluster's creation "
                + "or POST /api/v1/clusters/{id}/rotate-key returned it)"));
        final String cluster = clusterName != null ? clusterName : clusterId;
        final String nodeId = node != null ? node : "envoy-" + cluster;
        if (!EnvoyBootstrap.NODE_ID.matcher(nodeId).matches())
        {
            throw new ParameterException(spec.commandLine(), "--node must be 1-128 of letters, digits and ._:-, not '"
                + nodeId + "'");
        }
        if (adminPort < 1 || adminPort > 65535)
        {
            throw new ParameterException(spec.commandLine(), "--admin-port must be 1..65535: " + adminPort);
        }
        if ((clientCert == null) != (clientKey == null))
        {
            throw new ParameterException(spec.commandLine(), "--client-cert and --client-key go together");
        }
        for (final String file : new String[] {clientCert, clientKey})
        {
            if (file != null && !EnvoyBootstrap.HOST_FILE.matcher(file).matches())
            {
                throw new ParameterException(spec.commandLine(), "client certificate and key must be absolute paths of "
                    + "letters, digits and ._/-, not '" + file + "'");
            }
        }
        final Config config = ControlPlaneMain.config();
        final XdsSettings xds = XdsSettings.fromConfig(config);
        final String caPem = ca != null ? Files.readString(ca)
            : xds.tls() == null ? null : xds.tls().trustedCaPem();
        if (clientCert != null && caPem == null)
        {
            throw new ParameterException(spec.commandLine(), "mutual TLS needs TLS: give --ca (or configure "
                + "marchproxy.xds.tls)");
        }
        final String yaml = EnvoyBootstrap.yaml(cluster, clusterId, nodeId, adminPort, new EnvoyBootstrap.Upstream(
            xdsHost != null ? xdsHost : xds.advertiseHost(), xdsPort != null ? xdsPort : xds.port(), key, caPem,
            clientCert, clientKey, xds.dnsLookupFamily().name()));
        if (output == null)
        {
            spec.commandLine().getOut().print(yaml);
            spec.commandLine().getOut().flush();
        }
        else
        {
            Files.deleteIfExists(output);
            Files.createFile(output, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(output, yaml, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            spec.commandLine().getErr().println("wrote " + output + " (it holds the cluster's API key: keep it secret)");
        }
        return 0;
    }

    private String key() throws IOException
    {
        final String text = keyFile != null ? Files.readString(keyFile) : System.getenv("MARCHPROXY_CLUSTER_KEY");
        if (text == null || text.isBlank())
        {
            throw new ParameterException(spec.commandLine(), "no cluster key: give --cluster-key-file FILE or set "
                + "MARCHPROXY_CLUSTER_KEY");
        }
        return text.trim();
    }
}
