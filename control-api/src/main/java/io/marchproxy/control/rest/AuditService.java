package io.marchproxy.control.rest;

import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.marchproxy.control.auth.Principal;
import io.marchproxy.control.store.ChangeEvent;
import io.marchproxy.control.store.ConfigStore;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/audit}: every mutation, newest first, from the journal itself (who, what, when, config version
 * before and after). Pages with {@code ?before=<seq>&limit=}; {@code nextBefore} continues. Entity contents are not
 * shown here, only kinds and ids, so secrets cannot leak through the audit log.
 */
public final class AuditService extends ResourceService {
    static final ResponseSchema LOG = ResponseSchema.object("AuditLog")
            .add("items", ResponseSchema.arrayOf(VersionsService.event("AuditEvent")
                    .add("versionBefore", long.class)
                    .add("versionAfter", long.class)
                    .build()))
            .nullable("nextBefore", ResponseSchema.of(long.class))
            .build();

    private final ConfigStore store;

    public AuditService(Gate gate, ConfigStore store) {
        super(gate);
        this.store = store;
    }

    @Override
    public String basePath() {
        return "/api/v1/audit";
    }

    @Override
    public String tag() {
        return "audit";
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(new Endpoint(Method.GET, "/", "Audit log, newest first (?before=seq&limit=)", Access.ADMIN,
                null, Cursor.QUERY, 200, LOG, this::list));
    }

    private void list(ServerRequest req, ServerResponse res, Principal caller) {
        Cursor cursor = Requests.cursor(req);
        List<ChangeEvent> events = store.history(cursor.before(), cursor.limit(), false);
        List<Map<String, Object>> items = events.stream().map(e -> {
            Map<String, Object> m = VersionsService.summary(e);
            m.put("versionBefore", e.versionBefore());
            m.put("versionAfter", e.versionAfter());
            m.remove("version");
            m.remove("previousVersion");
            return m;
        }).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put("nextBefore", events.size() == cursor.limit() ? events.get(events.size() - 1).seq() : null);
        Responses.json(res, 200, body);
    }
}
