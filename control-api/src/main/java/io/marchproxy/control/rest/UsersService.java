package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.ServerRequest;
import io.marchproxy.control.auth.PasswordHasher;
import io.marchproxy.control.model.Role;
import io.marchproxy.control.model.User;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.control.store.Transaction;
import io.marchproxy.control.validation.ObjectSchema;
import io.marchproxy.control.validation.StringSchema;

import java.time.Clock;
import java.util.List;

/**
 * {@code /api/v1/users}, admins only. Passwords are hashed on the request thread before the transaction and never
 * returned. The last active admin cannot be deleted, disabled or demoted, so the API cannot lock itself out.
 */
public final class UsersService extends CrudService<User> {
    private static final String HASH = "\u0000passwordHash";

    static final ObjectSchema SCHEMA = ObjectSchema.builder()
            .required("username", StringSchema.of(3, 64, "alice").pattern("^[a-z0-9][a-z0-9._-]{2,63}$"))
            .required("role", StringSchema.oneOf("viewer", "operator", "admin"))
            .optional("active", Schemas.bool(), true)
            .optional("password", StringSchema.of(12, 128, "correct-horse-battery"), null)
            .build();

    private final PasswordHasher hasher;

    public UsersService(Gate gate, ConfigStore store, Clock clock, PasswordHasher hasher) {
        super(gate, store, EntityKind.USER, clock);
        this.hasher = hasher;
    }

    @Override
    public String basePath() {
        return "/api/v1/users";
    }

    @Override
    public String tag() {
        return "users";
    }

    @Override
    protected String readAccess() {
        return Access.ADMIN;
    }

    @Override
    protected String writeAccess() {
        return Access.ADMIN;
    }

    @Override
    protected ObjectSchema schema() {
        return SCHEMA;
    }

    @Override
    protected List<String> filters() {
        return List.of("username", "role", "active");
    }

    @Override
    protected boolean matches(User u, ServerRequest req) {
        return filter(req, "username", u.username()) && filter(req, "role", u.role().wireName())
                && filterBoolean(req, "active", u.active());
    }

    @Override
    protected ObjectNode prepare(ObjectNode body) {
        if (body.hasNonNull("password")) {
            body.put(HASH, hasher.hash(body.remove("password").textValue().toCharArray()));
        }
        return body;
    }

    @Override
    protected User build(ObjectNode b, Transaction tx, User existing, Meta meta) {
        String username = b.get("username").textValue();
        requireUnique(tx, "username", username, meta);
        String hash = b.hasNonNull(HASH) ? b.get(HASH).textValue() : existing == null ? null
                : existing.passwordHash();
        if (hash == null) {
            throw ProblemException.unprocessable("password", "is required when creating a user");
        }
        boolean newPassword = b.hasNonNull(HASH);
        User user = new User(meta.id(), username, Role.fromWire(b.get("role").textValue()),
                b.get("active").booleanValue(), hash,
                newPassword || existing == null ? meta.updatedAt() : existing.credentialsChangedAt(),
                meta.revision(), meta.createdAt(), meta.updatedAt());
        if (existing != null && isActiveAdmin(existing) && !isActiveAdmin(user)) {
            requireAnotherAdmin(tx, existing);
        }
        return user;
    }

    @Override
    protected void checkDelete(Transaction tx, User u) {
        if (isActiveAdmin(u)) {
            requireAnotherAdmin(tx, u);
        }
    }

    private static boolean isActiveAdmin(User u) {
        return u.active() && u.role() == Role.ADMIN;
    }

    private void requireAnotherAdmin(Transaction tx, User leaving) {
        boolean another = tx.list(kind).stream()
                .anyMatch(u -> !u.id().equals(leaving.id()) && isActiveAdmin(u));
        if (!another) {
            throw ProblemException.conflict("role", "the last active admin cannot be removed, disabled or demoted");
        }
    }
}
