package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.webserver.http.ServerRequest;
import io.marchproxy.control.validation.ObjectSchema;

import java.util.Collection;
import java.util.Optional;

/** Reading requests: JSON bodies checked against a schema, query parameters, paging and If-Match. */
public final class Requests {
    private Requests() {
    }

    /** The body, which must be JSON and pass {@code schema}; returned with defaults filled in. */
    public static ObjectNode body(ServerRequest req, ObjectSchema schema) {
        Optional<HttpMediaType> type = req.headers().contentType();
        if (type.isPresent() && !type.get().test(MediaTypes.APPLICATION_JSON)) {
            throw new ProblemException(415, "Unsupported Media Type",
                    "Content-Type must be application/json", java.util.List.of(
                            new io.marchproxy.control.validation.FieldError("Content-Type",
                                    "must be application/json")));
        }
        byte[] bytes = req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
        return schema.validateBody(RestJson.parse(bytes));
    }

    public static String pathParam(ServerRequest req, String name) {
        return req.path().pathParameters().get(name);
    }

    /** Rejects query parameters the route does not accept, so a typo in a filter is not silently ignored. */
    public static void checkQuery(ServerRequest req, Collection<String> accepted) {
        for (String name : req.query().names()) {
            if (!accepted.contains(name)) {
                throw ProblemException.badRequest(name, "unknown query parameter; accepted: " + accepted);
            }
        }
    }

    public static Optional<String> query(ServerRequest req, String name) {
        return req.query().first(name).asOptional().filter(s -> !s.isEmpty());
    }

    public static Optional<Long> queryLong(ServerRequest req, String name, long min, long max) {
        Optional<String> raw = query(req, name);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        long v;
        try {
            v = Long.parseLong(raw.get());
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(name, "must be an integer");
        }
        if (v < min || v > max) {
            throw ProblemException.badRequest(name, "must be between " + min + " and " + max);
        }
        return Optional.of(v);
    }

    public static Optional<Boolean> queryBoolean(ServerRequest req, String name) {
        return query(req, name).map(s -> switch (s) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ProblemException.badRequest(name, "must be true or false");
        });
    }

    public static Paging paging(ServerRequest req) {
        return new Paging(queryLong(req, "offset", 0, Integer.MAX_VALUE).orElse(0L).intValue(), limit(req));
    }

    public static Cursor cursor(ServerRequest req) {
        return new Cursor(queryLong(req, "before", 1, Long.MAX_VALUE).orElse(Long.MAX_VALUE), limit(req));
    }

    private static int limit(ServerRequest req) {
        return queryLong(req, "limit", 1, Paging.MAX_LIMIT).orElse((long) Paging.DEFAULT_LIMIT).intValue();
    }

    /** Throws 412 unless the request has no If-Match, {@code *}, or the ETag of {@code currentRevision}. */
    public static void checkIfMatch(ServerRequest req, long currentRevision) {
        Optional<String> ifMatch = req.headers().first(HeaderNames.IF_MATCH);
        if (ifMatch.isEmpty() || ifMatch.get().trim().equals("*")) {
            return;
        }
        String expected = Responses.etag(currentRevision);
        for (String tag : ifMatch.get().split(",")) {
            String t = tag.trim();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals(expected)) {
                return;
            }
        }
        throw ProblemException.preconditionFailed(currentRevision);
    }
}
