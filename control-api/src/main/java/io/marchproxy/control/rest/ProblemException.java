package io.marchproxy.control.rest;

import io.marchproxy.control.validation.FieldError;

import java.time.Duration;
import java.util.List;

/**
 * A request that cannot be served, carrying what the RFC 9457 problem response says: status, title, detail and the
 * fields at fault. Thrown anywhere below a handler, including inside store transactions (aborting them).
 */
public class ProblemException extends RuntimeException {
    private final int status;
    private final String title;
    private final transient List<FieldError> errors;
    private final long retryAfterSeconds;

    public ProblemException(int status, String title, String detail, List<FieldError> errors) {
        this(status, title, detail, errors, 0);
    }

    private ProblemException(int status, String title, String detail, List<FieldError> errors,
                             long retryAfterSeconds) {
        // An answer, not a fault: no stack trace to fill (a flood of refused requests would pay for one each).
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.errors = List.copyOf(errors);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 429 with {@code Retry-After}: {@code wait} rounded up to whole seconds, at least one. */
    public static ProblemException tooManyRequests(String detail, List<FieldError> errors, Duration wait) {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        return new ProblemException(429, "Too Many Requests", detail + "; retry in " + seconds + " s", errors,
                seconds);
    }

    public static ProblemException badRequest(String field, String message) {
        return new ProblemException(400, "Bad Request", field + ": " + message,
                List.of(new FieldError(field, message)));
    }

    /** A well-formed request naming something that does not exist or a combination the domain forbids. */
    public static ProblemException unprocessable(String field, String message) {
        return new ProblemException(422, "Unprocessable Content", field + ": " + message,
                List.of(new FieldError(field, message)));
    }

    public static ProblemException conflict(String field, String message) {
        return new ProblemException(409, "Conflict", field + ": " + message,
                List.of(new FieldError(field, message)));
    }

    public static ProblemException notFound(String what, String id) {
        return new ProblemException(404, "Not Found", "no " + what + " with id " + id, List.of());
    }

    public static ProblemException unauthorized(String detail) {
        return new ProblemException(401, "Unauthorized", detail, List.of());
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(403, "Forbidden", detail, List.of());
    }

    /** The server could do this but not now (another costly request holds what it needs): 503, retry soon. */
    public static ProblemException busy(String detail) {
        return new ProblemException(503, "Service Unavailable", detail, List.of());
    }

    public static ProblemException preconditionFailed(long current) {
        return new ProblemException(412, "Precondition Failed",
                "If-Match does not match the current revision \"" + current + "\"",
                List.of(new FieldError("If-Match", "stale revision; current is \"" + current + "\"")));
    }

    public int status() {
        return status;
    }

    /** Seconds a client should wait before retrying, for {@code Retry-After}; 0 when the response has none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public String title() {
        return title;
    }

    public List<FieldError> errors() {
        return errors;
    }
}
