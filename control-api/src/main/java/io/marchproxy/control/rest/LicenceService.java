package io.marchproxy.control.rest;

import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.marchproxy.control.auth.Principal;
import io.marchproxy.control.licence.Licence;
import io.marchproxy.control.licence.LicenceException;
import io.marchproxy.control.model.LicenceRecord;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.control.store.StoreState;
import io.marchproxy.control.validation.ObjectSchema;
import io.marchproxy.control.validation.StringSchema;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /api/v1/licence}: the licence in force and proxy usage; admins install or remove an enterprise token. */
public final class LicenceService extends ResourceService {
    static final ObjectSchema INSTALL = ObjectSchema.builder()
            .required("token", StringSchema.of(10, 16_384, "eyJsaWNlbnNlZSI6ImFjbWUifQ.c2lnbmF0dXJl")
                    .pattern("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$"))
            .build();

    /** The licence in force, as {@link #view} writes it. */
    static final ResponseSchema STATUS = ResponseSchema.object("LicenceStatus").from(Licence.class)
            .add("proxiesRegistered", int.class)
            .build();

    private final ConfigStore store;
    private final Licensing licensing;
    private final Clock clock;

    public LicenceService(Gate gate, ConfigStore store, Licensing licensing, Clock clock) {
        super(gate);
        this.store = store;
        this.licensing = licensing;
        this.clock = clock;
    }

    @Override
    public String basePath() {
        return "/api/v1/licence";
    }

    @Override
    public String tag() {
        return "licence";
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(
                new Endpoint(Method.GET, "/", "The licence in force and proxies used", Access.VIEWER, null,
                        List.of(), 200, STATUS, this::show),
                new Endpoint(Method.PUT, "/", "Install an enterprise licence token", Access.ADMIN, INSTALL,
                        List.of(), 200, STATUS, this::install),
                new Endpoint(Method.DELETE, "/", "Remove the installed licence (back to community)", Access.ADMIN,
                        null, List.of(), 200, STATUS, this::remove));
    }

    private void show(ServerRequest req, ServerResponse res, Principal caller) {
        Responses.json(res, 200, view(store.state()));
    }

    private void install(ServerRequest req, ServerResponse res, Principal caller) {
        String token = Requests.body(req, INSTALL).get("token").textValue();
        try {
            licensing.verifier().verify(token);
        } catch (LicenceException e) {
            throw ProblemException.unprocessable("token", e.getMessage());
        }
        store.update(caller.name(), "licence.install", tx -> {
            Instant now = clock.instant();
            LicenceRecord old = tx.get(EntityKind.LICENCE, LicenceRecord.CURRENT).orElse(null);
            return tx.put(EntityKind.LICENCE, new LicenceRecord(LicenceRecord.CURRENT, token,
                    old == null ? 1 : old.revision() + 1, old == null ? now : old.createdAt(), now));
        });
        Responses.json(res, 200, view(store.state()));
    }

    private void remove(ServerRequest req, ServerResponse res, Principal caller) {
        store.update(caller.name(), "licence.remove", tx -> {
            if (tx.get(EntityKind.LICENCE, LicenceRecord.CURRENT).isPresent()) {
                tx.delete(EntityKind.LICENCE, LicenceRecord.CURRENT);
            }
            return null;
        });
        Responses.json(res, 200, view(store.state()));
    }

    private Map<String, Object> view(StoreState s) {
        Licence l = licensing.current(s);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("licensee", l.licensee());
        body.put("tier", l.tier());
        body.put("maxProxies", l.maxProxies());
        body.put("features", l.features());
        body.put("expiresAt", l.expiresAt() == null ? null : l.expiresAt().toString());
        body.put("proxiesRegistered", s.count(EntityKind.PROXY));
        return body;
    }
}
