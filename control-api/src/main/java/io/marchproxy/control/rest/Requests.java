package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.webserver.http.ServerRequest;
import io.marchproxy.control.validation.FieldError;
import io.marchproxy.control.validation.ObjectSchema;
import io.marchproxy.control.validation.ValidationException;

import java.util.ArrayList;
import java.util.List;
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
                    "Content-Type must be application/json", List.of(
                            new FieldError("Content-Type", "must be application/json")));
        }
        byte[] bytes = req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
        return schema.validateBody(RestJson.parse(bytes));
    }

    public static String pathParam(ServerRequest req, String name) {
        return req.path().pathParameters().get(name);
    }

    /**
     * Checks the query against what the route declares: an unknown parameter (so a typo in a filter is not silently
     * ignored), a parameter given twice, a missing required one, or a value its schema refuses is a 400 naming it.
     */
    public static void checkQuery(ServerRequest req, List<QueryParam> declared) {
        List<FieldError> errors = new ArrayList<>();
        for (String name : req.query().names()) {
            if (declared.stream().noneMatch(p -> p.name().equals(name))) {
                errors.add(new FieldError(name, "unknown query parameter; accepted: "
                        + declared.stream().map(QueryParam::name).toList()));
            } else if (req.query().all(name).size() > 1) {
                errors.add(new FieldError(name, "must be given once"));
            }
        }
        for (QueryParam p : declared) {
            if (!req.query().contains(p.name())) {
                if (p.required()) {
                    errors.add(new FieldError(p.name(), "is required"));
                }
            } else if (req.query().all(p.name()).size() == 1) {
                p.check(req.query().get(p.name()), errors);
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
    }

    public static Optional<String> query(ServerRequest req, String name) {
        return req.query().first(name).asOptional().filter(s -> !s.isEmpty());
    }

    /** The value of {@code param}, already checked against its declaration by {@link #checkQuery}. */
    public static Optional<Long> queryLong(ServerRequest req, QueryParam param) {
        return query(req, param.name()).map(Long::parseLong);
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
        return new Paging(queryLong(req, Paging.OFFSET).orElse(0L).intValue(), limit(req));
    }

    public static Cursor cursor(ServerRequest req) {
        return new Cursor(queryLong(req, Cursor.BEFORE).orElse(Long.MAX_VALUE), limit(req));
    }

    private static int limit(ServerRequest req) {
        return queryLong(req, Paging.LIMIT).orElse((long) Paging.DEFAULT_LIMIT).intValue();
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
