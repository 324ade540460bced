package io.marchproxy.control.rest;

import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRoute;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The routes the web server really serves, written down as Helidon asks each registered service for its rules, so
 * they can be compared with the OpenAPI document. A route given as method and path is recorded as
 * {@code "GET /observe/health"}; one given any other way (a path matcher, a method predicate, a nested service) as
 * {@code "UNKNOWN <base path>"}, which no document matches.
 */
public final class ServedRoutes {
    private final List<String> routes = new CopyOnWriteArrayList<>();

    /** {@code service}, registering through rules that record its routes under {@code basePath}. */
    public HttpService recording(String basePath, HttpService service) {
        return new HttpService() {
            @Override
            public void routing(HttpRules rules) {
                service.routing(new RecordingRules(rules, basePath));
            }

            @Override
            public void beforeStart() {
                service.beforeStart();
            }

            @Override
            public void afterStop() {
                service.afterStop();
            }
        };
    }

    /** Every route recorded so far, as {@code "<METHOD> <full path>"}. */
    public List<String> list() {
        return List.copyOf(routes);
    }

    /** {@code base} and a path relative to it, as the OpenAPI document writes them ({@code "/"} is the base). */
    static String fullPath(String base, String path) {
        return path.equals("/") || path.isEmpty() ? base : base + path;
    }

    /** Helidon's defaults funnel every method-and-path route through {@link #route(Method, String, Handler)}. */
    private final class RecordingRules implements HttpRules {
        private final HttpRules delegate;
        private final String base;

        RecordingRules(HttpRules delegate, String base) {
            this.delegate = delegate;
            this.base = base;
        }

        @Override
        public HttpRules route(Method method, String path, Handler handler) {
            routes.add(method.text() + " " + fullPath(base, path));
            delegate.route(method, path, handler);
            return this;
        }

        @Override
        public HttpRules route(HttpRoute route) {
            routes.add("UNKNOWN " + base);
            delegate.route(route);
            return this;
        }

        @Override
        public HttpRules register(HttpService... services) {
            routes.add("UNKNOWN " + base);
            delegate.register(services);
            return this;
        }

        @Override
        public HttpRules register(String pathPattern, HttpService... services) {
            routes.add("UNKNOWN " + fullPath(base, pathPattern));
            delegate.register(pathPattern, services);
            return this;
        }
    }
}
