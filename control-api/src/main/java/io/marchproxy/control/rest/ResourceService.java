package io.marchproxy.control.rest;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.marchproxy.control.auth.Principal;

import java.util.List;

/**
 * An {@link HttpService} whose routes are declared as {@link Endpoint}s: access rules are enforced here, in one
 * place, before any action runs, and the same list feeds the OpenAPI document.
 */
public abstract class ResourceService implements HttpService {
    private final Gate gate;

    protected ResourceService(Gate gate) {
        this.gate = gate;
    }

    /** Where the service is mounted, e.g. {@code /api/v1/services}. */
    public abstract String basePath();

    /** The OpenAPI tag and the name used in messages. */
    public abstract String tag();

    public abstract List<Endpoint> endpoints();

    /**
     * Problem statuses {@code endpoint} can answer beyond those every operation documents (400, 401, 403, 404, 409,
     * 412, 414, 415, 422, and 413 with a body): for the OpenAPI document. None by default.
     */
    public List<Integer> problems(Endpoint endpoint) {
        return List.of();
    }

    /**
     * Success statuses {@code endpoint} answers besides {@link Endpoint#successStatus()}, with the same body: for the
     * OpenAPI document. None by default.
     */
    public List<Integer> otherSuccesses(Endpoint endpoint) {
        return List.of();
    }

    /**
     * Whether {@code endpoint} answers 304 Not Modified (no body, an {@code ETag}) to a conditional request: for the
     * OpenAPI document. False by default.
     */
    public boolean notModified(Endpoint endpoint) {
        return false;
    }

    @Override
    public final void routing(HttpRules rules) {
        for (Endpoint e : endpoints()) {
            rules.route(e.method(), e.path(), (req, res) -> {
                Principal caller = switch (e.access()) {
                    case Access.PUBLIC, Access.CLUSTER_KEY -> null;
                    default -> gate.user(req, Gate.role(e.access()));
                };
                Requests.checkQuery(req, e.query());
                e.action().handle(req, res, caller);
            });
        }
    }

    protected Gate gate() {
        return gate;
    }
}
