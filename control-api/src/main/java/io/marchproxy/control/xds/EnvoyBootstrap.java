package io.marchproxy.control.xds;

import io.marchproxy.control.model.Nullable;

import java.util.regex.Pattern;

/**
 * A ready Envoy bootstrap for one MarchProxy cluster: node identity (cluster name, and the cluster id in metadata so
 * a rename does not regroup the node), the admin listener on loopback, and everything else from our ADS over HTTP/2
 * with a short reconnect backoff, so an Envoy resumes within seconds of the control plane returning. The ADS gRPC
 * service carries the node's xDS credential as {@code authorization} call metadata ({@code initial_metadata}); with
 * TLS, the connection to the control plane verifies the server against the given CA and, for mutual TLS, presents
 * a client certificate from files on the Envoy host. The bootstrap holds a credential: treat it as a secret.
 */
public final class EnvoyBootstrap {
    /** What a node id may be: 1-128 of letters, digits and {@code ._:-}. */
    public static final Pattern NODE_ID = Pattern.compile("^[A-Za-z0-9._:-]{1,128}$");
    /** What a file path on the Envoy host may be (it goes into YAML): absolute, letters, digits and {@code ._/-}. */
    public static final Pattern HOST_FILE = Pattern.compile("^/[A-Za-z0-9._/-]{1,1023}$");

    private EnvoyBootstrap() {
    }

    /**
     * How the bootstrap reaches the xDS server.
     *
     * @param dnsLookupFamily Envoy's {@code dns_lookup_family} for a host name (e.g. {@code V4_PREFERRED}: without it
     *                        Envoy prefers IPv6 and a name with an IPv6 address never reaches an IPv4-only server)
     */
    public record Upstream(String host, int port, String credential, @Nullable String trustedCaPem,
                           @Nullable String clientCertFile, @Nullable String clientKeyFile, String dnsLookupFamily) {
    }

    /**
     * @param nodeId    Envoy's node id (unique per proxy)
     * @param adminPort the admin listener's port on 127.0.0.1
     */
    public static String yaml(String clusterName, String clusterId, String nodeId, int adminPort, Upstream xds) {
        boolean ip = XdsNames.isIpLiteral(xds.host());
        StringBuilder y = new StringBuilder("""
                node:
                  id: %1$s
                  cluster: %2$s
                  metadata:
                    %3$s: %4$s
                admin:
                  address:
                    socket_address: { address: 127.0.0.1, port_value: %5$d }
                dynamic_resources:
                  ads_config:
                    api_type: GRPC
                    transport_api_version: V3
                    grpc_services:
                    - envoy_grpc:
                        cluster_name: marchproxy_xds
                        retry_policy:
                          retry_back_off: { base_interval: 0.25s, max_interval: 2s }
                      initial_metadata:
                      - key: authorization
                        value: %6$s
                  cds_config: { ads: {}, resource_api_version: V3 }
                  lds_config: { ads: {}, resource_api_version: V3 }
                static_resources:
                  clusters:
                  - name: marchproxy_xds
                    type: %7$s%10$s
                    connect_timeout: 2s
                    typed_extension_protocol_options:
                      envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                        "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                        explicit_http_config:
                          http2_protocol_options:
                            connection_keepalive: { interval: 10s, timeout: 5s }
                    load_assignment:
                      cluster_name: marchproxy_xds
                      endpoints:
                      - lb_endpoints:
                        - endpoint:
                            address:
                              socket_address: { address: %8$s, port_value: %9$d }
                """.formatted(quote(nodeId), quote(clusterName), XdsNames.CLUSTER_METADATA_KEY, quote(clusterId),
                adminPort, quote("Bearer " + xds.credential()), ip ? "STATIC" : "STRICT_DNS", quote(xds.host()),
                xds.port(), ip ? "" : "\n    dns_lookup_family: " + xds.dnsLookupFamily()));
        if (xds.trustedCaPem() != null) {
            y.append("""
                        transport_socket:
                          name: envoy.transport_sockets.tls
                          typed_config:
                            "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
                        """.indent(4));
            String in = " ".repeat(8); // inside typed_config
            if (!ip) {
                y.append(in).append("sni: ").append(quote(xds.host())).append('\n');
            }
            y.append(in).append("common_tls_context:\n")
                    .append(in).append("  validation_context:\n")
                    .append(in).append("    trusted_ca: { inline_string: ").append(quote(xds.trustedCaPem()))
                    .append(" }\n")
                    .append(in).append("    match_typed_subject_alt_names:\n")
                    .append(in).append("    - san_type: ").append(ip ? "IP_ADDRESS" : "DNS").append('\n')
                    .append(in).append("      matcher: { exact: ").append(quote(xds.host())).append(" }\n");
            if (xds.clientCertFile() != null) {
                y.append(in).append("  tls_certificates:\n")
                        .append(in).append("  - certificate_chain: { filename: ")
                        .append(quote(xds.clientCertFile())).append(" }\n")
                        .append(in).append("    private_key: { filename: ").append(quote(xds.clientKeyFile()))
                        .append(" }\n");
            }
        }
        return y.toString();
    }

    /** A YAML double-quoted scalar. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c < 0x20) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
