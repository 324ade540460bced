package io.marchproxy.control.rest;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The last route: a request that no route took, on a path some route serves with other methods, is answered 405 with
 * {@code Allow} naming those methods (problem+json); any other request goes on to the 404. When several routes match
 * (a fixed segment such as {@code /certificates/expiring} and {@code /certificates/{id}}), the most specific one's
 * methods are named, as the document lists them. The routes come from {@link ServedRoutes}, read once at the first
 * request (all services are registered by then).
 */
public final class MethodNotAllowed implements Handler {
    private final Supplier<List<String>> routes;
    private volatile Map<Template, Set<String>> methodsByPath;

    /** A served path as a pattern, and how many parameters it has (fewer: more specific). */
    private record Template(Pattern pattern, int parameters) {
    }

    /** @param routes the served routes as {@code "GET /api/v1/services/{id}"} */
    public MethodNotAllowed(Supplier<List<String>> routes) {
        this.routes = routes;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        String path = req.path().path();
        Set<String> allowed = Set.of();
        int fewestParameters = Integer.MAX_VALUE;
        for (Map.Entry<Template, Set<String>> e : methodsByPath().entrySet()) {
            if (e.getKey().parameters() < fewestParameters && e.getKey().pattern().matcher(path).matches()) {
                allowed = e.getValue();
                fewestParameters = e.getKey().parameters();
            }
        }
        if (allowed.isEmpty()) {
            res.next();
            return;
        }
        String allow = String.join(", ", allowed);
        res.header(HeaderNames.ALLOW, allow);
        ProblemHandlers.send(req, res, 405, "Method Not Allowed", req.prologue().method().text() + " is not served "
                + "here; allowed: " + allow, List.of());
    }

    private Map<Template, Set<String>> methodsByPath() {
        Map<Template, Set<String>> m = methodsByPath;
        if (m == null) {
            Map<String, Set<String>> byTemplate = new LinkedHashMap<>();
            for (String route : routes.get()) {
                int space = route.indexOf(' ');
                byTemplate.computeIfAbsent(route.substring(space + 1), p -> new TreeSet<>())
                        .add(route.substring(0, space));
            }
            m = new LinkedHashMap<>();
            for (Map.Entry<String, Set<String>> e : byTemplate.entrySet()) {
                String regex = Pattern.quote(e.getKey()).replaceAll("\\{[A-Za-z]+}", "\\\\E[^/]+\\\\Q");
                int parameters = e.getKey().split("\\{", -1).length - 1;
                m.put(new Template(Pattern.compile(regex), parameters), new TreeSet<>(e.getValue()));
            }
            methodsByPath = m;
        }
        return m;
    }
}
