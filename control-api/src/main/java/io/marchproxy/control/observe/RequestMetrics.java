package io.marchproxy.control.observe;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.Set;

/**
 * Counts requests ({@code marchproxy_http_requests_total}) and records their latency
 * ({@code marchproxy_http_request_duration_seconds}) per route pattern (not per concrete path, so ids do not explode
 * the label set), method and status, as client_java metrics in the control plane's registry. Lock-free on the request
 * path (client_java's striped adders per series).
 */
public final class RequestMetrics implements Filter {
    /** Histogram bucket upper bounds in seconds. */
    static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

    private static final Set<String> STANDARD_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT",
            "OPTIONS", "TRACE", "PATCH");

    private final Counter requests;
    private final Histogram latency;

    /** Registers both metrics in {@code registry}. */
    public RequestMetrics(PrometheusRegistry registry) {
        requests = Counter.builder().name("marchproxy_http_requests_total")
                .help("HTTP requests by method, route pattern and status.")
                .labelNames("method", "route", "status").register(registry);
        latency = Histogram.builder().name("marchproxy_http_request_duration_seconds")
                .help("HTTP request latency by method and route.")
                .labelNames("method", "route").classicOnly().classicUpperBounds(BUCKETS).register(registry);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        try {
            chain.proceed();
        } finally {
            long took = System.nanoTime() - start;
            String route = route(req.matchingPattern().orElse("unmatched"));
            String method = label(req.prologue().method().text());
            requests.labelValues(method, route, Integer.toString(res.status().code())).inc();
            latency.labelValues(method, route).observe(took / 1e9);
        }
    }

    /** Request methods are client-chosen tokens: any but the standard ones is labelled OTHER, so labels stay few. */
    private static String label(String method) {
        return STANDARD_METHODS.contains(method) ? method : "OTHER";
    }

    /** A service's root route is registered as {@code /}; label it without the trailing slash. */
    private static String route(String pattern) {
        return pattern.length() > 1 && pattern.endsWith("/") ? pattern.substring(0, pattern.length() - 1) : pattern;
    }
}
