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
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Issues and checks compact JWTs (RFC 7519) signed with HMAC-SHA256 by the JDK. Only {@code HS256} is accepted, so a
 * token claiming {@code alg: none} or another algorithm is rejected before its signature is looked at. Thread-safe.
 */
public final class TokenIssuer {
    private static final String ISSUER = "marchproxy-control";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_CACHED = 10_000;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final String HEADER = B64.encodeToString(
            "{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

    private final SecretKeySpec key;
    private final Duration ttl;
    private final Clock clock;
    /** Tokens whose signature was already checked: a token is immutable, only its expiry needs re-checking. */
    private final Map<String, Claims> verified = new ConcurrentHashMap<>();

    /** Claims of a verified token. */
    public record Claims(String userId, String username, Role role, Instant issuedAt, Instant expiresAt) {
    }

    public TokenIssuer(byte[] secret, Duration ttl, Clock clock) {
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
        Claims cached = verified.get(token);
        if (cached != null) {
            return clock.instant().isBefore(cached.expiresAt()) ? Optional.of(cached) : Optional.empty();
        }
        Optional<Claims> claims = verifySignatureAndClaims(token);
        if (claims.isPresent()) {
            if (verified.size() >= MAX_CACHED) {
                verified.clear();
            }
            verified.put(token, claims.get());
        }
        return claims;
    }

    private Optional<Claims> verifySignatureAndClaims(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || !HEADER.equals(parts[0])) {
            return Optional.empty();
        }
        try {
            byte[] sig = B64D.decode(parts[2]);
            if (!MessageDigest.isEqual(sig, sign(parts[0] + '.' + parts[1]))) {
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
