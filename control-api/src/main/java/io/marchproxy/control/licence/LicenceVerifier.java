package io.marchproxy.control.licence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Checks enterprise licence tokens offline. A token is {@code base64url(payload) "." base64url(signature)}, the
 * signature being Ed25519 over the payload bytes by the vendor's private key; the payload is JSON
 * {@code {"licensee","tier","maxProxies","features":[..],"expiresAt":"ISO-8601"}}. Thread-safe.
 */
public final class LicenceVerifier {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PublicKey publicKey;
    private final Clock clock;

    /** @param publicKey the vendor key, or null when none is configured (only community is then possible) */
    public LicenceVerifier(PublicKey publicKey, Clock clock) {
        this.publicKey = publicKey;
        this.clock = clock;
    }

    /** Decodes a base64 X.509 SubjectPublicKeyInfo Ed25519 key, as {@code licence.public-key} holds it. */
    public static PublicKey parsePublicKey(String base64) {
        try {
            return KeyFactory.getInstance("Ed25519")
                    .generatePublic(new X509EncodedKeySpec(Base64.getMimeDecoder().decode(base64.trim())));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("licence public key is not a base64 Ed25519 X.509 key", e);
        }
    }

    public Licence verify(String token) throws LicenceException {
        if (publicKey == null) {
            throw new LicenceException("no licence public key is configured (licence.public-key)");
        }
        String[] parts = token.trim().split("\\.", -1);
        if (parts.length != 2) {
            throw new LicenceException("licence token must be <payload>.<signature>");
        }
        byte[] payload;
        byte[] sig;
        try {
            payload = Base64.getUrlDecoder().decode(parts[0]);
            sig = Base64.getUrlDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new LicenceException("licence token is not base64url");
        }
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(publicKey);
            verifier.update(payload);
            if (!verifier.verify(sig)) {
                throw new LicenceException("licence signature does not verify");
            }
        } catch (GeneralSecurityException e) {
            throw new LicenceException("licence signature does not verify");
        }
        Licence licence = parsePayload(payload);
        if (!clock.instant().isBefore(licence.expiresAt())) {
            throw new LicenceException("licence expired at " + licence.expiresAt());
        }
        return licence;
    }

    /** The licence in force: the verified token's, or community if there is none or it no longer verifies. */
    public Licence effective(Optional<String> token) {
        if (token.isEmpty()) {
            return Licence.community();
        }
        try {
            return verify(token.get());
        } catch (LicenceException e) {
            return Licence.community();
        }
    }

    private static Licence parsePayload(byte[] payload) throws LicenceException {
        try {
            JsonNode n = JSON.readTree(payload);
            List<String> features = new ArrayList<>();
            n.path("features").forEach(f -> features.add(f.asText()));
            int max = n.path("maxProxies").asInt(-1);
            if (!n.path("licensee").isTextual() || !n.path("tier").isTextual() || max < 1
                    || !n.path("expiresAt").isTextual()) {
                throw new LicenceException("licence payload lacks licensee, tier, maxProxies or expiresAt");
            }
            return new Licence(n.get("licensee").asText(), n.get("tier").asText(), max, features,
                    Instant.parse(n.get("expiresAt").asText()));
        } catch (IOException | java.time.format.DateTimeParseException e) {
            throw new LicenceException("licence payload is not valid JSON: " + e.getMessage());
        }
    }
}
