package io.marchproxy.control.observe;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts requests and records their latency per route pattern (not per concrete path, so ids do not explode the
 * label set), method and status. Lock-free on the request path: {@link LongAdder}s per series and bucket.
 */
public final class RequestMetrics implements Filter {
    /** Histogram bucket upper bounds in seconds. */
    static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

    /** Labels of one request series. */
    record Key(String method, String route, int status) {
    }

    /** Latency histogram of one route and method. */
    static final class Histogram {
        final LongAdder[] counts = new LongAdder[BUCKETS.length];
        final LongAdder count = new LongAdder();
        final LongAdder sumNanos = new LongAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new LongAdder();
            }
        }

        void record(long nanos) {
            double seconds = nanos / 1e9;
            for (int i = 0; i < BUCKETS.length; i++) {
                if (seconds <= BUCKETS[i]) {
                    counts[i].increment();
                    break;
                }
            }
            count.increment();
            sumNanos.add(nanos);
        }
    }

    private static final Set<String> STANDARD_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT",
            "OPTIONS", "TRACE", "PATCH");

    private final Map<Key, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, Histogram> latency = new ConcurrentHashMap<>();

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        try {
            chain.proceed();
        } finally {
            long took = System.nanoTime() - start;
            String route = route(req.matchingPattern().orElse("unmatched"));
            String method = label(req.prologue().method().text());
            requests.computeIfAbsent(new Key(method, route, res.status().code()), k -> new LongAdder()).increment();
            latency.computeIfAbsent(method + ' ' + route, k -> new Histogram()).record(took);
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

    void writeTo(StringBuilder out) {
        out.append("# HELP marchproxy_http_requests_total HTTP requests by method, route pattern and status.\n");
        out.append("# TYPE marchproxy_http_requests_total counter\n");
        requests.forEach((k, v) -> out.append("marchproxy_http_requests_total{method=\"").append(k.method())
                .append("\",route=\"").append(PrometheusText.escape(k.route())).append("\",status=\"")
                .append(k.status()).append("\"} ").append(v.sum()).append('\n'));
        out.append("# HELP marchproxy_http_request_duration_seconds HTTP request latency by method and route.\n");
        out.append("# TYPE marchproxy_http_request_duration_seconds histogram\n");
        latency.forEach((key, h) -> {
            int space = key.indexOf(' ');
            String labels = "method=\"" + key.substring(0, space) + "\",route=\""
                    + PrometheusText.escape(key.substring(space + 1)) + "\"";
            long cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += h.counts[i].sum();
                out.append("marchproxy_http_request_duration_seconds_bucket{").append(labels).append(",le=\"")
                        .append(BUCKETS[i]).append("\"} ").append(cumulative).append('\n');
            }
            long count = h.count.sum();
            out.append("marchproxy_http_request_duration_seconds_bucket{").append(labels).append(",le=\"+Inf\"} ")
                    .append(count).append('\n');
            out.append("marchproxy_http_request_duration_seconds_sum{").append(labels).append("} ")
                    .append(h.sumNanos.sum() / 1e9).append('\n');
            out.append("marchproxy_http_request_duration_seconds_count{").append(labels).append("} ")
                    .append(count).append('\n');
        });
    }
}
