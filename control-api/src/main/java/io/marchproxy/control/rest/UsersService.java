package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marchproxy.control.auth.PasswordHasher;
import io.marchproxy.control.auth.Principal;
import io.marchproxy.control.model.Role;
import io.marchproxy.control.model.User;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.control.store.Transaction;
import io.marchproxy.control.validation.ObjectSchema;
import io.marchproxy.control.validation.StringSchema;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * {@code /api/v1/users}, admins only. Passwords are hashed on the request thread before the transaction and never
 * returned. The last active admin cannot be deleted, disabled or demoted, so the API cannot lock itself out; nor can
 * an admin delete, disable or demote their own account (another admin must), and they change their own password with
 * {@code POST /api/v1/auth/password}, which needs the current one, not here.
 */
public final class UsersService extends CrudService<User, Optional<String>> {
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
    protected List<ListFilter<User>> filters() {
        return List.of(
                ListFilter.text("username", User::username),
                ListFilter.text("role", u -> u.role().wireName()),
                ListFilter.flag("active", User::active));
    }

    @Override
    protected void checkCaller(Principal caller, String id, ObjectNode body) {
        if (!id.equals(caller.userId())) {
            return;
        }
        if (body == null) {
            throw ProblemException.conflict("id", "you cannot delete your own account; another admin can");
        }
        if (!body.get("active").booleanValue()) {
            throw ProblemException.conflict("active", "you cannot disable your own account; another admin can");
        }
        if (!body.get("role").textValue().equals(caller.role().wireName())) {
            throw ProblemException.conflict("role", "you cannot change your own role; another admin can");
        }
        if (body.has("password")) {
            throw ProblemException.unprocessable("password", "change your own password with POST "
                    + "/api/v1/auth/password, which needs the current one");
        }
    }

    /** The new password's hash, or empty when the body keeps the current password. */
    @Override
    protected Optional<String> prepare(ObjectNode body) {
        return body.hasNonNull("password")
                ? Optional.of(hasher.hash(body.get("password").textValue().toCharArray())) : Optional.empty();
    }

    @Override
    protected User build(ObjectNode b, Optional<String> newHash, Transaction tx, User existing, Meta meta) {
        String username = b.get("username").textValue();
        requireUnique(tx, "username", username, meta);
        if (newHash.isEmpty() && existing == null) {
            throw ProblemException.unprocessable("password", "is required when creating a user");
        }
        boolean newPassword = newHash.isPresent();
        String hash = newHash.orElseGet(() -> existing.passwordHash());
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
