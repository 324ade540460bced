package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.marchproxy.control.auth.AccessToken;
import io.marchproxy.control.auth.LoginBudget;
import io.marchproxy.control.auth.LoginThrottle;
import io.marchproxy.control.auth.PasswordHasher;
import io.marchproxy.control.auth.Principal;
import io.marchproxy.control.auth.TokenIssuer;
import io.marchproxy.control.model.Role;
import io.marchproxy.control.model.User;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.control.validation.FieldError;
import io.marchproxy.control.validation.ObjectSchema;
import io.marchproxy.control.validation.StringSchema;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code /api/v1/auth}: {@code POST /login} trades a username and password for a short-lived JWT;
 * {@code POST /refresh} trades a valid token for a fresh one; {@code POST /password} changes the caller's own
 * password given the current one. An unknown user costs the same PBKDF2 work as a wrong
 * password, so response time does not reveal which usernames exist; repeated failures lock a username out for a
 * growing time ({@link LoginThrottle}, answered 429). Password checks run within a {@link LoginBudget} (per client
 * and overall, on hashing threads of their own), so a login flood gets 429s instead of the server's cores.
 */
public final class AuthService extends ResourceService {
    static final ObjectSchema LOGIN = ObjectSchema.builder()
            .required("username", StringSchema.of(1, 64, "admin"))
            .required("password", StringSchema.of(1, 128, "correct-horse-battery"))
            .build();

    static final ObjectSchema CHANGE_PASSWORD = ObjectSchema.builder()
            .required("currentPassword", StringSchema.of(1, 128, "correct-horse-battery"))
            .required("newPassword", StringSchema.of(12, 128, "correct-horse-battery-2"))
            .build();

    /** What login and refresh return. */
    static final ResponseSchema TOKEN = ResponseSchema.object("AccessToken")
            .add("token", ResponseSchema.string(), "A JWT for the Authorization: Bearer header.")
            .add("tokenType", ResponseSchema.oneOf("Bearer"))
            .add("expiresAt", Instant.class)
            .add("role", Role.class)
            .add("username", String.class)
            .build();

    private final ConfigStore store;
    private final TokenIssuer tokens;
    private final PasswordHasher hasher;
    private final String decoyHash;
    private final Clock clock;
    private final LoginThrottle throttle;
    private final LoginBudget budget;

    public AuthService(Gate gate, ConfigStore store, TokenIssuer tokens, PasswordHasher hasher, Clock clock) {
        this(gate, store, tokens, hasher, clock, new LoginBudget(LoginBudget.Limits.defaults(), clock));
    }

    /** With a login budget of its own; the service closes it when the server stops. */
    public AuthService(Gate gate, ConfigStore store, TokenIssuer tokens, PasswordHasher hasher, Clock clock,
                       LoginBudget budget) {
        super(gate);
        this.clock = clock;
        this.budget = budget;
        this.throttle = new LoginThrottle(clock);
        this.store = store;
        this.tokens = tokens;
        this.hasher = hasher;
        this.decoyHash = hasher.hash("decoy-password-never-matches".toCharArray());
    }

    @Override
    public String basePath() {
        return "/api/v1/auth";
    }

    @Override
    public String tag() {
        return "auth";
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(
                new Endpoint(Method.POST, "/login", "Log in; returns a bearer token", Access.PUBLIC, LOGIN,
                        List.of(), 200, TOKEN, this::login),
                new Endpoint(Method.POST, "/refresh", "Exchange a valid token for a new one", Access.VIEWER, null,
                        List.of(), 200, TOKEN, this::refresh),
                new Endpoint(Method.POST, "/password", "Change the caller's own password", Access.VIEWER,
                        CHANGE_PASSWORD, List.of(), 204, null, this::changePassword));
    }

    private void login(ServerRequest req, ServerResponse res, Principal none) {
        ObjectNode body = Requests.body(req, LOGIN);
        String username = body.get("username").textValue();
        throttle.lockedFor(username).ifPresent(wait -> {
            throw ProblemException.tooManyRequests("too many failed logins for this username",
                    List.of(new FieldError("username", "temporarily locked")), wait);
        });
        char[] password = body.get("password").textValue().toCharArray();
        Optional<User> user = store.state().findByKey(EntityKind.USER, username);
        boolean ok = hashing(req, () -> hasher.verify(password, user.map(User::passwordHash).orElse(decoyHash)));
        if (!ok || user.isEmpty() || !user.get().active()) {
            throttle.failed(username);
            throw ProblemException.unauthorized("username or password is wrong, or the account is disabled");
        }
        throttle.succeeded(username);
        send(res, tokens.issue(user.get().id(), user.get().username(), user.get().role()), user.get());
    }

    private void refresh(ServerRequest req, ServerResponse res, Principal caller) {
        User user = store.state().get(EntityKind.USER, caller.userId()).orElseThrow();
        send(res, tokens.issue(user.id(), user.username(), user.role()), user);
    }

    private void changePassword(ServerRequest req, ServerResponse res, Principal caller) {
        ObjectNode body = Requests.body(req, CHANGE_PASSWORD);
        User user = store.state().get(EntityKind.USER, caller.userId()).orElseThrow();
        String hash = hashing(req, () -> hasher.verify(body.get("currentPassword").textValue().toCharArray(),
                user.passwordHash()) ? hasher.hash(body.get("newPassword").textValue().toCharArray()) : null);
        if (hash == null) {
            throw ProblemException.unprocessable("currentPassword", "is not the current password");
        }
        store.update(caller.name(), "user.password", tx -> {
            User u = tx.get(EntityKind.USER, caller.userId())
                    .orElseThrow(() -> ProblemException.notFound("user", caller.userId()));
            if (u.revision() != user.revision()) {
                throw ProblemException.conflict("currentPassword", "the account changed meanwhile; retry");
            }
            Instant now = clock.instant();
            return tx.put(EntityKind.USER, new User(u.id(), u.username(), u.role(), u.active(), hash, now,
                    u.revision() + 1, u.createdAt(), now));
        });
        Responses.noContent(res);
    }

    /** Runs password hashing for this request's client within the login budget, or answers 429. */
    private <T> T hashing(ServerRequest req, Supplier<T> work) {
        InetAddress client = req.remotePeer().address() instanceof InetSocketAddress a ? a.getAddress()
                : InetAddress.getLoopbackAddress();
        try {
            return budget.run(client, work);
        } catch (LoginBudget.Refused e) {
            throw ProblemException.tooManyRequests(e.getMessage(), List.of(), e.retryAfter());
        }
    }

    /** Every route that checks a password can be refused by the login budget or a lock-out. */
    @Override
    public List<Integer> problems(Endpoint endpoint) {
        return endpoint.path().equals("/refresh") ? List.of() : List.of(429);
    }

    @Override
    public void afterStop() {
        budget.close();
    }

    private void send(ServerResponse res, AccessToken token, User user) {
        Responses.json(res, 200, Map.of("token", token.token(), "tokenType", "Bearer",
                "expiresAt", token.expiresAt().toString(), "role", user.role().wireName(),
                "username", user.username()));
    }
}
