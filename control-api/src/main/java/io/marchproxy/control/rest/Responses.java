package io.marchproxy.control.rest;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.marchproxy.control.model.Entity;

/** Writing responses: JSON bodies and ETags. */
public final class Responses {
    private Responses() {
    }

    public static String etag(long revision) {
        return "\"" + revision + "\"";
    }

    public static void json(ServerResponse res, int status, Object body) {
        jsonBytes(res, status, RestJson.write(body));
    }

    /** Sends an already rendered JSON body. */
    public static void jsonBytes(ServerResponse res, int status, byte[] body) {
        res.status(Status.create(status));
        res.headers().contentType(MediaTypes.APPLICATION_JSON);
        res.send(body);
    }

    public static void entity(ServerResponse res, int status, Entity entity, Object body) {
        res.header(HeaderNames.ETAG, etag(entity.revision()));
        json(res, status, body);
    }

    public static void entity(ServerResponse res, int status, Entity entity) {
        entity(res, status, entity, entity);
    }

    public static void noContent(ServerResponse res) {
        res.status(Status.NO_CONTENT_204);
        res.send();
    }
}
