package io.marchproxy.control.xds;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.marchproxy.control.auth.Principal;
import io.marchproxy.control.model.Cluster;
import io.marchproxy.control.rest.Access;
import io.marchproxy.control.rest.Endpoint;
import io.marchproxy.control.rest.ProblemException;
import io.marchproxy.control.rest.QueryParam;
import io.marchproxy.control.rest.Requests;
import io.marchproxy.control.rest.ResourceService;
import io.marchproxy.control.rest.ResponseSchema;
import io.marchproxy.control.rest.Responses;
import io.marchproxy.control.rest.Gate;
import io.marchproxy.control.validation.StringSchema;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code /api/v1/envoy}: {@code GET /bootstrap?cluster=NAME} returns a ready Envoy bootstrap (YAML) for a cluster,
 * pointing at this control plane's xDS listener and carrying the cluster's xDS token, so it is for operators and
 * above; {@code GET /nodes} lists the connected nodes with the versions they hold, their last NACK and their health,
 * and per cluster the active services its Envoys do not serve, with why; for viewers and above (no secrets).
 */
public final class EnvoyService extends ResourceService {
    private static final Pattern NODE_ID = EnvoyBootstrap.NODE_ID;
    private static final Pattern FILE = EnvoyBootstrap.HOST_FILE;

    static final ResponseSchema NODES = ResponseSchema.object("EnvoyNodes")
            .add("nodes", ResponseSchema.arrayOf(ResponseSchema.of(EnvoyNode.class)))
            .add("nacks", ResponseSchema.mapOf(ResponseSchema.of(long.class)), "NACKs since start by resource type.")
            .add("leftOut", ResponseSchema.mapOf(ResponseSchema.arrayOf(ResponseSchema.of(LeftOut.class))),
                    "By cluster id: the active services the cluster's Envoys do not serve, and why (a cluster "
                            + "without any is absent).")
            .build();

    private final XdsServer xds;

    public EnvoyService(Gate gate, XdsServer xds) {
        super(gate);
        this.xds = xds;
    }

    @Override
    public String basePath() {
        return "/api/v1/envoy";
    }

    @Override
    public String tag() {
        return "envoy";
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(
                new Endpoint(Method.GET, "/bootstrap", "Envoy bootstrap YAML for a cluster (id or name), with the "
                        + "cluster's xDS token: a secret", Access.OPERATOR, null,
                        List.of(QueryParam.text("cluster", StringSchema.of(1, 253, "edge")).mandatory(),
                                QueryParam.text("node", StringSchema.of(1, 128, "envoy-edge")
                                        .pattern(NODE_ID.pattern())),
                                QueryParam.integer("adminPort", 1, 65535),
                                QueryParam.text("clientCert", StringSchema.of(1, 1024, "/etc/envoy/client.pem")
                                        .pattern(FILE.pattern())),
                                QueryParam.text("clientKey", StringSchema.of(1, 1024, "/etc/envoy/client.key")
                                        .pattern(FILE.pattern()))), 200,
                        ResponseSchema.document("application/yaml"), this::bootstrap),
                new Endpoint(Method.GET, "/nodes",
                        "Connected nodes (held versions per type, last NACK, health) and services left out per cluster",
                        Access.VIEWER, null, List.of(), 200, NODES, this::nodes));
    }

    private void bootstrap(ServerRequest req, ServerResponse res, Principal caller) {
        String ref = Requests.query(req, "cluster")
                .orElseThrow(() -> ProblemException.badRequest("cluster", "is required"));
        Cluster cluster = xds.clusterByIdOrName(ref)
                .orElseThrow(() -> ProblemException.notFound("cluster", ref));
        String node = Requests.query(req, "node").orElse("envoy-" + cluster.name());
        if (!NODE_ID.matcher(node).matches()) {
            throw ProblemException.badRequest("node", "must be 1-128 of letters, digits and ._:-");
        }
        int adminPort = Requests.queryLong(req, "adminPort", 1, 65535).orElse(9901L).intValue();
        Optional<String> clientCert = file(req, "clientCert");
        Optional<String> clientKey = file(req, "clientKey");
        if (clientCert.isPresent() != clientKey.isPresent()) {
            throw ProblemException.unprocessable(clientCert.isPresent() ? "clientKey" : "clientCert",
                    "clientCert and clientKey go together");
        }
        XdsSettings s = xds.settings();
        if (clientCert.isPresent() && (s.tls() == null || s.tls().clientCa() == null)) {
            throw ProblemException.unprocessable("clientCert", "the xDS server does not use mutual TLS");
        }
        String token = xds.tokenFor(cluster).orElseThrow(() -> ProblemException.conflict("cluster",
                "cluster " + cluster.name() + " has no API key: rotate its key first"));
        String yaml = EnvoyBootstrap.yaml(cluster.name(), cluster.id(), node, adminPort,
                new EnvoyBootstrap.Upstream(s.advertiseHost(), xds.port(), token,
                        s.tls() == null ? null : s.tls().trustedCaPem(), clientCert.orElse(null),
                        clientKey.orElse(null), s.dnsLookupFamily().name()));
        res.header(HeaderNames.CONTENT_TYPE, "application/yaml");
        res.send(yaml.getBytes(StandardCharsets.UTF_8));
    }

    /** An absolute file path on the Envoy host, plain characters only (it goes into YAML). */
    private static Optional<String> file(ServerRequest req, String name) {
        Optional<String> v = Requests.query(req, name);
        if (v.isPresent() && !FILE.matcher(v.get()).matches()) {
            throw ProblemException.badRequest(name, "must be an absolute path of letters, digits and ._/-");
        }
        return v;
    }

    private void nodes(ServerRequest req, ServerResponse res, Principal caller) {
        Responses.json(res, 200, Map.of("nodes", xds.nodes(), "nacks", xds.nacks(), "leftOut", xds.leftOut()));
    }
}
