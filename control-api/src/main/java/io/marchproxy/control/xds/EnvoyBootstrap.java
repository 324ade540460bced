package io.marchproxy.control.xds;

/**
 * A ready Envoy bootstrap for one MarchProxy cluster: node identity (cluster name, and the cluster id in metadata so
 * a rename does not regroup the node), the admin listener on loopback, and everything else from our ADS over
 * HTTP/2 with a short reconnect backoff, so an Envoy resumes within seconds of the control plane returning. The node
 * is sent on every request (not only the first): java-control-plane groups each request by its node.
 */
public final class EnvoyBootstrap {
    private EnvoyBootstrap() {
    }

    /**
     * @param nodeId    Envoy's node id (unique per proxy)
     * @param adminPort the admin listener's port on 127.0.0.1
     */
    public static String yaml(String clusterName, String clusterId, String nodeId, String xdsHost, int xdsPort,
                              int adminPort) {
        boolean ip = XdsNames.isIpLiteral(xdsHost);
        return """
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
                  cds_config: { ads: {}, resource_api_version: V3 }
                  lds_config: { ads: {}, resource_api_version: V3 }
                static_resources:
                  clusters:
                  - name: marchproxy_xds
                    type: %6$s
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
                              socket_address: { address: %7$s, port_value: %8$d }
                """.formatted(quote(nodeId), quote(clusterName), XdsNames.CLUSTER_METADATA_KEY, quote(clusterId),
                adminPort, ip ? "STATIC" : "STRICT_DNS", quote(xdsHost), xdsPort);
    }

    /** A YAML double-quoted scalar. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
