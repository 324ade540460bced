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
import java.util.regex.Pattern;

/**
 * {@code /api/v1/envoy}: {@code GET /bootstrap?cluster=NAME} returns a ready Envoy bootstrap (YAML) for a cluster,
 * pointing at this control plane's xDS listener; {@code GET /nodes} lists the connected Envoys with the versions
 * they ACKed and their last NACK. Both for viewers and above: neither carries secrets.
 */
public final class EnvoyService extends ResourceService {
    private static final Pattern NODE_ID = Pattern.compile("^[A-Za-z0-9._:-]{1,128}$");

    static final ResponseSchema NODES = ResponseSchema.object("EnvoyNodes")
            .add("nodes", ResponseSchema.arrayOf(ResponseSchema.of(EnvoyNode.class)))
            .add("nacks", ResponseSchema.mapOf(ResponseSchema.of(long.class)), "NACKs since start by resource type.")
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
                new Endpoint(Method.GET, "/bootstrap", "Envoy bootstrap YAML for a cluster (id or name)",
                        Access.VIEWER, null, List.of(QueryParam.text("cluster", StringSchema.of(1, 253, "edge"))
                                .mandatory(), QueryParam.text("node", StringSchema.of(1, 128, "envoy-edge")
                                .pattern(NODE_ID.pattern())), QueryParam.integer("adminPort", 1, 65535)), 200,
                        ResponseSchema.document("application/yaml"), this::bootstrap),
                new Endpoint(Method.GET, "/nodes", "Connected Envoys: ACKed versions per type and last NACK",
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
        XdsSettings s = xds.settings();
        String yaml = EnvoyBootstrap.yaml(cluster.name(), cluster.id(), node, s.advertiseHost(), xds.port(),
                adminPort);
        res.header(HeaderNames.CONTENT_TYPE, "application/yaml");
        res.send(yaml.getBytes(StandardCharsets.UTF_8));
    }

    private void nodes(ServerRequest req, ServerResponse res, Principal caller) {
        Responses.json(res, 200, Map.of("nodes", xds.nodes(), "nacks", xds.nacks()));
    }
}
