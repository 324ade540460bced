package io.marchproxy.control.rest;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.marchproxy.control.auth.ClusterKeys;
import io.marchproxy.control.auth.Principal;
import io.marchproxy.control.auth.TokenIssuer;
import io.marchproxy.control.model.Cluster;
import io.marchproxy.control.model.Role;
import io.marchproxy.control.model.User;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides who is calling. Users present {@code Authorization: Bearer <jwt>}; the user is looked up on every call so a
 * deactivated account, changed role or changed password takes effect before its token expires. Proxies present
 * {@code X-Cluster-Key: <key>}, compared in constant time with the cluster's stored hash.
 */
public final class Gate {
    public static final HeaderName CLUSTER_KEY = HeaderNames.create("X-Cluster-Key");

    private final ConfigStore store;
    private final TokenIssuer tokens;

    public Gate(ConfigStore store, TokenIssuer tokens) {
        this.store = store;
        this.tokens = tokens;
    }

    /** The calling user, who must have at least {@code required}. */
    public Principal user(ServerRequest req, Role required) {
        String auth = req.headers().first(HeaderNames.AUTHORIZATION).orElseThrow(
                () -> ProblemException.unauthorized("credentials required: Authorization: Bearer <token>"));
        if (!auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ProblemException.unauthorized("Authorization must use the Bearer scheme");
        }
        TokenIssuer.Claims claims = tokens.verify(auth.substring(7).trim())
                .orElseThrow(() -> ProblemException.unauthorized("token is invalid or expired"));
        Optional<User> user = store.state().get(EntityKind.USER, claims.userId());
        if (user.isEmpty() || !user.get().active()) {
            throw ProblemException.unauthorized("account is disabled or deleted");
        }
        Instant changed = user.get().credentialsChangedAt();
        if (changed != null && claims.issuedAt().getEpochSecond() < changed.getEpochSecond()) {
            throw ProblemException.unauthorized("token was issued before the password changed; log in again");
        }
        Role role = user.get().role();
        if (!role.covers(required)) {
            throw ProblemException.forbidden("requires role " + required.wireName() + ", caller has "
                    + role.wireName());
        }
        return new Principal(user.get().id(), user.get().username(), role);
    }

    /**
     * The calling user if the request carries credentials (which must then be valid and have at least
     * {@code required}), or empty if it carries none: for routes that show more to authenticated callers.
     */
    public Optional<Principal> userIfPresent(ServerRequest req, Role required) {
        return req.headers().contains(HeaderNames.AUTHORIZATION) ? Optional.of(user(req, required))
                : Optional.empty();
    }

    /** The cluster whose API key the caller presented. */
    public Cluster cluster(ServerRequest req) {
        String key = req.headers().first(CLUSTER_KEY).orElseThrow(
                () -> ProblemException.unauthorized("cluster API key required: X-Cluster-Key header"));
        Cluster cluster = ClusterKeys.clusterIdOf(key)
                .flatMap(id -> store.state().get(EntityKind.CLUSTER, id))
                .orElse(null);
        // Compare even when the cluster is unknown, so timing does not reveal which cluster ids exist.
        String storedHash = cluster == null ? ClusterKeys.hash("absent") : cluster.apiKeyHash();
        if (!ClusterKeys.matches(key, storedHash) || cluster == null) {
            throw ProblemException.unauthorized("cluster API key is not valid");
        }
        if (!cluster.active()) {
            throw ProblemException.forbidden("cluster " + cluster.name() + " is not active");
        }
        return cluster;
    }

    static Role role(String access) {
        return Role.fromWire(access.toUpperCase(Locale.ROOT));
    }
}
