import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The control plane's REST API as the xDS benchmarks use it: JSON calls with an expected status, the admin login,
 * and the http service they create. Shared by {@code XdsPropagation.java} and {@code AdsFanout.java}, which the
 * source launcher (JDK 22+, JEP 458) compiles together with this file from the same directory.
 */
final class Rest {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String base;
    private final String token;

    private Rest(String base, String token) {
        this.base = base;
        this.token = token;
    }

    /** Calls without credentials, e.g. {@code /observe/metrics}. */
    static Rest anonymous(String base) {
        return new Rest(base, null);
    }

    /** Logs in as {@code admin}; every call then carries the bearer token. */
    static Rest login(String base, String password) throws Exception {
        String body = anonymous(base).call("POST", "/api/v1/auth/login",
                "{\"username\":\"admin\",\"password\":\"" + password + "\"}", 200);
        return new Rest(base, field(body, "token"));
    }

    /** One request; returns the body, or throws unless the status is {@code expect}. */
    String call(String method, String path, String body, int expect) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expect) {
            throw new IllegalStateException(method + " " + path + " -> " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    /** A string field of a JSON body (the first one of that name). */
    static String field(String body, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + body);
        }
        return m.group(1);
    }

    /** An http service on 127.0.0.1:{@code port} of {@code clusterId} with one backend at 127.0.0.1. */
    static String service(String name, String clusterId, int port, int backendPort) {
        return "{\"name\":\"" + name + "\",\"clusterId\":\"" + clusterId + "\",\"address\":\"127.0.0.1\","
                + "\"port\":" + port + ",\"protocol\":\"http\",\"backends\":[{\"address\":\"127.0.0.1\","
                + "\"port\":" + backendPort + "}]}";
    }
}
