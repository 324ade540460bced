package io.marchproxy.control.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marchproxy.control.model.Role;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issues and checks compact JWTs (RFC 7519) signed with HMAC-SHA256 by the JDK. Only {@code HS256} is accepted, so a
 * token claiming {@code alg: none} or another algorithm is rejected before its signature is looked at. The signature
 * must be the canonical unpadded base64url of the MAC (RFC 7515): padding or non-zero trailing bits, which a lenient
 * decoder maps to the same bytes, make another string of the same token and are refused. Thread-safe.
 */
public final class TokenIssuer {
    private static final String ISSUER = "marchproxy-control";
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int DEFAULT_MAX_CACHED = 10_000;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final String HEADER = B64.encodeToString(
            "{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

    private final SecretKeySpec key;
    private final Duration ttl;
    private final Clock clock;
    /**
     * Tokens whose signature was already checked: a token is immutable, only its expiry needs re-checking. Bounded by
     * {@link #maxCached}: when full, expired tokens go first, then the least recently used eighth.
     */
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();
    /** Advances on every insertion into {@link #verified}: the "time" of a cache entry's last use. */
    private final AtomicLong insertions = new AtomicLong();
    private final int maxCached;

    /** A verified token's claims and the value of {@link #insertions} when it was last used. */
    private static final class Verified {
        final Claims claims;
        volatile long lastUsed;

        Verified(Claims claims, long lastUsed) {
            this.claims = claims;
            this.lastUsed = lastUsed;
        }
    }

    /** Claims of a verified token. */
    public record Claims(String userId, String username, Role role, Instant issuedAt, Instant expiresAt) {
    }

    public TokenIssuer(byte[] secret, Duration ttl, Clock clock) {
        this(secret, ttl, clock, DEFAULT_MAX_CACHED);
    }

    TokenIssuer(byte[] secret, Duration ttl, Clock clock, int maxCached) {
        if (maxCached < 8) {
            throw new IllegalArgumentException("cache must hold at least 8 tokens, got " + maxCached);
        }
        this.maxCached = maxCached;
        if (secret.length < 32) {
            throw new IllegalArgumentException("JWT secret must be at least 32 bytes");
        }
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
        this.ttl = ttl;
        this.clock = clock;
    }

    public AccessToken issue(String userId, String username, Role role) {
        Instant now = clock.instant();
        Instant exp = now.plus(ttl);
        ObjectNode claims = JSON.createObjectNode()
                .put("iss", ISSUER)
                .put("sub", userId)
                .put("name", username)
                .put("role", role.wireName())
                .put("iat", now.getEpochSecond())
                .put("exp", exp.getEpochSecond())
                .put("jti", UUID.randomUUID().toString());
        String signingInput = HEADER + '.' + B64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        return new AccessToken(signingInput + '.' + B64.encodeToString(sign(signingInput)), exp);
    }

    /** The claims of {@code token} if its signature, algorithm, issuer and expiry are good. */
    public Optional<Claims> verify(String token) {
        Verified cached = verified.get(token);
        if (cached != null) {
            if (!clock.instant().isBefore(cached.claims.expiresAt())) {
                verified.remove(token, cached);
                return Optional.empty();
            }
            long now = insertions.get();
            if (cached.lastUsed != now) {
                cached.lastUsed = now;
            }
            return Optional.of(cached.claims);
        }
        Optional<Claims> claims = verifySignatureAndClaims(token);
        if (claims.isPresent()) {
            if (verified.size() >= maxCached) {
                evict();
            }
            verified.put(token, new Verified(claims.get(), insertions.incrementAndGet()));
        }
        return claims;
    }

    /** Whether {@code token} is in the cache of verified tokens. */
    boolean isCached(String token) {
        return verified.containsKey(token);
    }

    /** How many verified tokens are cached. */
    int cached() {
        return verified.size();
    }

    /** Makes room: drops expired tokens, then the least recently used eighth if that was not enough. */
    private synchronized void evict() {
        if (verified.size() < maxCached) {
            return;
        }
        Instant now = clock.instant();
        verified.values().removeIf(v -> !now.isBefore(v.claims.expiresAt()));
        int excess = verified.size() - (maxCached - maxCached / 8);
        if (excess <= 0) {
            return;
        }
        List<Map.Entry<String, Verified>> entries = new ArrayList<>(verified.entrySet());
        entries.sort(Comparator.comparingLong(e -> e.getValue().lastUsed));
        for (Map.Entry<String, Verified> e : entries.subList(0, Math.min(excess, entries.size()))) {
            verified.remove(e.getKey(), e.getValue());
        }
    }

    private Optional<Claims> verifySignatureAndClaims(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || !HEADER.equals(parts[0])) {
            return Optional.empty();
        }
        try {
            // Compared as text with the canonical encoding, so only one string of a token verifies.
            byte[] expected = B64.encode(sign(parts[0] + '.' + parts[1]));
            if (!MessageDigest.isEqual(parts[2].getBytes(StandardCharsets.US_ASCII), expected)) {
                return Optional.empty();
            }
            JsonNode claims = JSON.readTree(B64D.decode(parts[1]));
            Instant exp = Instant.ofEpochSecond(claims.path("exp").asLong(0));
            if (!ISSUER.equals(claims.path("iss").asText()) || !clock.instant().isBefore(exp)) {
                return Optional.empty();
            }
            return Optional.of(new Claims(claims.path("sub").asText(), claims.path("name").asText(),
                    Role.fromWire(claims.path("role").asText()), Instant.ofEpochSecond(claims.path("iat").asLong()),
                    exp));
        } catch (IllegalArgumentException | IOException e) {
            return Optional.empty();
        }
    }

    private byte[] sign(String input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
