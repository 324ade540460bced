package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.common.media.type.MediaType;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.marchproxy.control.store.StoreUnavailableException;
import io.marchproxy.control.validation.FieldError;
import io.marchproxy.control.validation.ValidationException;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns exceptions into RFC 9457 {@code application/problem+json}: {@code type}, {@code title}, {@code status},
 * {@code detail}, {@code instance}, plus {@code field} (the first field at fault) and {@code errors} (all of them).
 */
public final class ProblemHandlers {
    public static final MediaType PROBLEM_JSON = MediaTypes.create("application/problem+json");
    private static final Logger LOG = Logger.getLogger(ProblemHandlers.class.getName());

    private ProblemHandlers() {
    }

    public static void register(HttpRouting.Builder routing) {
        routing.error(ProblemException.class, (req, res, e) -> {
                    if (e.retryAfterSeconds() > 0) {
                        res.header(HeaderNames.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
                    } else if (e.status() == 503) {
                        res.header(HeaderNames.RETRY_AFTER, "1");
                    }
                    send(req, res, e.status(), e.title(), e.getMessage(), e.errors());
                })
                .error(ValidationException.class, (req, res, e) -> send(req, res, e.status(),
                        e.status() == 422 ? "Unprocessable Content" : "Bad Request", e.getMessage(), e.errors()))
                .error(StoreUnavailableException.class, (req, res, e) -> {
                    LOG.log(Level.SEVERE, "store unavailable", e);
                    send(req, res, 503, "Service Unavailable", "the configuration store cannot accept writes",
                            List.of());
                })
                .error(HttpException.class, (req, res, e) -> send(req, res, e.status().code(),
                        e.status().reasonPhrase(), e.getMessage(), List.of()))
                .error(Exception.class, (req, res, e) -> {
                    LOG.log(Level.SEVERE, "unhandled error on " + req.prologue().method() + " "
                            + req.path().path(), e);
                    send(req, res, 500, "Internal Server Error", "unexpected error; see the server log", List.of());
                });
    }

    /**
     * Problem bodies for what Helidon answers before any route runs (a body over the payload limit, an unreadable
     * request line or header), so those are problem+json too. The detail is generic: the request is not echoed.
     */
    public static DirectHandlers direct(long maxPayloadBytes) {
        DirectHandlers.Builder handlers = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            handlers.addHandler(type, (req, _, status, headers, _) -> {
                String path = req.path() == null ? "" : req.path().replaceFirst("[?#].*", "");
                ObjectNode body = problem(status.code(), status.reasonPhrase(), status.code() == 413
                        ? "the request body is larger than " + maxPayloadBytes + " bytes"
                        : "the request could not be read: " + status.reasonPhrase(), path, List.of());
                headers.contentType(PROBLEM_JSON);
                // After a refusal before routing the rest of the request may be unread: never reuse the connection.
                return DirectHandler.TransportResponse.builder().status(status).headers(headers)
                        .keepAlive(false).entity(RestJson.write(body)).build();
            });
        }
        return handlers.build();
    }

    public static void send(ServerRequest req, ServerResponse res, int status, String title, String detail,
                            List<FieldError> errors) {
        ObjectNode body = problem(status, title, detail, req.path().absolute().path(), errors);
        if (status == 401) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"marchproxy\"");
        }
        res.status(Status.create(status));
        res.headers().contentType(PROBLEM_JSON);
        res.send(RestJson.write(body));
    }

    private static ObjectNode problem(int status, String title, String detail, String instance,
                                      List<FieldError> errors) {
        ObjectNode body = RestJson.mapper().createObjectNode();
        body.put("type", "about:blank");
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", instance);
        if (!errors.isEmpty()) {
            body.put("field", errors.get(0).field());
            ArrayNode arr = body.putArray("errors");
            for (FieldError fe : errors) {
                arr.addObject().put("field", fe.field()).put("message", fe.message());
            }
        }
        return body;
    }
}
