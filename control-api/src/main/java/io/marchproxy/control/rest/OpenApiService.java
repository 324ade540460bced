package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /openapi}: an OpenAPI 3.0 document generated from the same {@link Endpoint} lists and schemas that route
 * and validate requests, so it cannot promise a field or route the server does not accept. Success responses are
 * described by each endpoint's {@link ResponseSchema}, derived from the records the handlers write and shared under
 * {@code components/schemas}. The few public routes of plain services (observability, this document) are listed as
 * {@link PublicRoute}s.
 */
public final class OpenApiService implements HttpService {
    /**
     * The longest request line read (method, path, query, version): room for every query a route declares at its
     * longest, percent-encoded, so only a request outside the document gets a 414.
     */
    public static final int MAX_REQUEST_LINE = 16 * 1024;

    /** Where this document is served. */
    public static final String PATH = "/openapi";

    /**
     * A public {@code GET} route served by a plain {@link HttpService} rather than a {@link ResourceService}.
     *
     * @param problems the problem statuses it can answer besides its success
     */
    public record PublicRoute(String path, String tag, String summary, ResponseSchema response,
                              List<Integer> problems) {
        public PublicRoute {
            problems = List.copyOf(problems);
        }

        /** A route that answers nothing but its success. */
        public PublicRoute(String path, String tag, String summary, ResponseSchema response) {
            this(path, tag, summary, response, List.of());
        }
    }

    private static final Pattern PATH_PARAM = Pattern.compile("\\{([A-Za-z]+)}");
    private static final List<Integer> PROBLEMS = List.of(400, 401, 403, 404, 409, 412, 414, 415, 422);

    private final byte[] document;

    public OpenApiService(List<ResourceService> services, List<PublicRoute> publicRoutes, String version) {
        List<PublicRoute> plain = new ArrayList<>(publicRoutes);
        plain.add(new PublicRoute(PATH, "openapi", "This document", ResponseSchema.anyObject()));
        this.document = build(services, plain, version).toPrettyString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::send);
    }

    private void send(ServerRequest req, ServerResponse res) {
        res.headers().contentType(MediaTypes.APPLICATION_JSON);
        res.send(document);
    }

    /** The full path of an endpoint, as it appears in the document. */
    public static String fullPath(ResourceService s, Endpoint e) {
        return ServedRoutes.fullPath(s.basePath(), e.path());
    }

    static ObjectNode build(List<ResourceService> services, List<PublicRoute> plain, String version) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode doc = f.objectNode();
        doc.put("openapi", "3.0.3");
        doc.putObject("info").put("title", "MarchProxy control API").put("version", version)
                .put("description", "Clusters, services, mappings, proxies, certificates, QoS and versioned config. "
                        + "Errors are RFC 9457 application/problem+json.");
        ObjectNode paths = doc.putObject("paths");
        ObjectNode schemas = f.objectNode();
        for (ResourceService s : services) {
            for (Endpoint e : s.endpoints()) {
                ObjectNode item = paths.has(fullPath(s, e)) ? (ObjectNode) paths.get(fullPath(s, e))
                        : paths.putObject(fullPath(s, e));
                item.set(e.method().text().toLowerCase(Locale.ROOT), operation(s, e, schemas));
            }
        }
        for (PublicRoute r : plain) {
            paths.putObject(r.path()).set("get", operation(r, schemas));
        }
        ObjectNode components = doc.putObject("components");
        ObjectNode schemes = components.putObject("securitySchemes");
        schemes.putObject("bearer").put("type", "http").put("scheme", "bearer").put("bearerFormat", "JWT");
        schemes.putObject("clusterKey").put("type", "apiKey").put("in", "header").put("name", "X-Cluster-Key");
        components.set("schemas", schemas);
        ObjectNode problem = schemas.putObject("Problem");
        problem.put("type", "object");
        ObjectNode props = problem.putObject("properties");
        for (String p : List.of("type", "title", "detail", "instance", "field")) {
            props.putObject(p).put("type", "string");
        }
        props.putObject("status").put("type", "integer");
        ObjectNode err = props.putObject("errors").put("type", "array").putObject("items").put("type", "object");
        err.putObject("properties").putObject("field").put("type", "string");
        ((ObjectNode) err.get("properties")).putObject("message").put("type", "string");
        return doc;
    }

    private static ObjectNode operation(ResourceService s, Endpoint e, ObjectNode schemas) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode op = f.objectNode();
        op.putArray("tags").add(s.tag());
        op.put("summary", e.summary());
        op.put("operationId", e.method().text().toLowerCase(Locale.ROOT) + opName(fullPath(s, e)));
        op.put("x-access", e.access());
        switch (e.access()) {
            case Access.PUBLIC -> op.putArray("security");
            case Access.CLUSTER_KEY -> op.putArray("security").addObject().putArray("clusterKey");
            default -> op.putArray("security").addObject().putArray("bearer");
        }
        ArrayNode params = f.arrayNode();
        Matcher m = PATH_PARAM.matcher(e.path());
        while (m.find()) {
            params.addObject().put("name", m.group(1)).put("in", "path").put("required", true)
                    .putObject("schema").put("type", "string");
        }
        for (QueryParam q : e.query()) {
            params.add(q.toOpenApi());
        }
        if (!params.isEmpty()) {
            op.set("parameters", params);
        }
        if (e.requestBody() != null) {
            op.putObject("requestBody").put("required", true).putObject("content")
                    .putObject("application/json").set("schema", e.requestBody().toOpenApi());
        }
        ObjectNode responses = op.putObject("responses");
        List<Integer> successes = new ArrayList<>(List.of(e.successStatus()));
        successes.addAll(s.otherSuccesses(e));
        for (int status : successes.stream().sorted().toList()) {
            ObjectNode ok = responses.putObject(Integer.toString(status));
            ok.put("description", status == 204 ? "No Content" : "Success");
            if (e.response() != null) {
                content(ok, e.response(), schemas);
            }
        }
        if (s.notModified(e)) {
            ObjectNode notModified = responses.putObject("304");
            notModified.put("description", "Not Modified: no body");
            notModified.putObject("headers").putObject("ETag").put("description", "The current content's tag")
                    .put("required", true).putObject("schema").put("type", "string");
        }
        List<Integer> problems = new ArrayList<>(PROBLEMS);
        if (e.requestBody() != null) {
            problems.add(413);
        }
        problems.addAll(s.problems(e));
        problems(responses, problems);
        return op;
    }

    /**
     * A problem+json response for each status; 429 and 503 also document {@code Retry-After} (seconds), which they
     * always carry.
     */
    private static void problems(ObjectNode responses, List<Integer> statuses) {
        for (int status : statuses.stream().sorted().distinct().toList()) {
            ObjectNode r = responses.putObject(Integer.toString(status));
            r.put("description", switch (status) {
                case 413 -> "Request body larger than the server accepts";
                case 414 -> "Request line longer than the server reads (" + MAX_REQUEST_LINE + " bytes)";
                default -> "Problem";
            });
            if (status == 429 || status == 503) {
                r.putObject("headers").putObject("Retry-After").put("description", "Seconds to wait before "
                        + "retrying").put("required", true).putObject("schema").put("type", "integer")
                        .put("minimum", 1);
            }
            r.putObject("content").putObject("application/problem+json").putObject("schema")
                    .put("$ref", "#/components/schemas/Problem");
        }
    }

    private static void content(ObjectNode response, ResponseSchema schema, ObjectNode schemas) {
        response.putObject("content").putObject(schema.mediaType()).set("schema", schema.toOpenApi(schemas));
    }

    private static ObjectNode operation(PublicRoute r, ObjectNode schemas) {
        ObjectNode op = JsonNodeFactory.instance.objectNode();
        op.putArray("tags").add(r.tag());
        op.put("summary", r.summary());
        op.put("operationId", "get" + opName(r.path()));
        op.put("x-access", Access.PUBLIC);
        op.putArray("security");
        ObjectNode responses = op.putObject("responses");
        content(responses.putObject("200").put("description", "Success"), r.response(), schemas);
        List<Integer> problems = new ArrayList<>(r.problems());
        problems.add(414);
        problems(responses, problems);
        return op;
    }

    private static String opName(String path) {
        StringBuilder sb = new StringBuilder();
        for (String part : path.split("[/{}-]+")) {
            if (!part.isEmpty() && !part.equals("api") && !part.equals("v1")) {
                sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return sb.toString();
    }
}
