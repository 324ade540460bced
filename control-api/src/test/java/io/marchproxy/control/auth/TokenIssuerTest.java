package io.marchproxy.control.auth;

import io.marchproxy.control.HandClock;
import io.marchproxy.control.model.Role;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tokens verify in exactly one string form, and the cache of verified tokens is bounded without being cleared. */
public class TokenIssuerTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes();
    private static final String B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private final HandClock clock = new HandClock();

    /**
     * Other strings that a lenient base64url decoder maps to the same signature bytes: padded, and with the unused
     * low bits of the last character set (a 32-byte MAC is 43 characters, the last carrying 2 bits of data).
     */
    public static List<String> variantsOf(String token) {
        int dot = token.lastIndexOf('.');
        String head = token.substring(0, dot + 1);
        String sig = token.substring(dot + 1);
        List<String> variants = new ArrayList<>(List.of(head + sig + "=", head + sig + "=="));
        String body = sig.substring(0, sig.length() - 1);
        int last = B64URL.indexOf(sig.charAt(sig.length() - 1));
        for (int low = 1; low < 16; low++) {
            variants.add(head + body + B64URL.charAt(last | low));
        }
        return variants.stream().filter(v -> !v.equals(token)).distinct().toList();
    }

    @Test
    void onlyTheCanonicalSignatureStringVerifies() {
        TokenIssuer issuer = new TokenIssuer(SECRET, Duration.ofMinutes(5), clock);
        String token = issuer.issue("u-1", "alice", Role.ADMIN).token();
        assertTrue(issuer.verify(token).isPresent());
        List<String> variants = variantsOf(token);
        assertTrue(variants.size() >= 3, variants.toString());
        for (String variant : variants) {
            assertTrue(issuer.verify(variant).isEmpty(), "accepted " + variant + " for " + token);
        }
        TokenIssuer fresh = new TokenIssuer(SECRET, Duration.ofMinutes(5), clock);
        for (String variant : variants) {
            assertTrue(fresh.verify(variant).isEmpty(), "accepted uncached " + variant);
        }
    }

    /**
     * More tokens than the cache holds: it stays nearly full (never cleared all at once) and a token in use stays
     * cached, while tokens not used since are the ones dropped.
     */
    @Test
    void theCacheEvictsTheLeastRecentlyUsedNeverEverything() {
        int max = 64;
        TokenIssuer issuer = new TokenIssuer(SECRET, Duration.ofMinutes(5), clock, max);
        String inUse = issuer.issue("u-0", "alice", Role.VIEWER).token();
        issuer.verify(inUse);
        String idle = issuer.issue("u-1", "bob", Role.VIEWER).token();
        issuer.verify(idle);
        for (int i = 0; i < 10 * max; i++) {
            issuer.verify(issuer.issue("u-" + (i + 2), "user" + i, Role.VIEWER).token());
            issuer.verify(inUse);
            if (i >= max) {
                assertTrue(issuer.cached() >= max - max / 8, "cache emptied to " + issuer.cached() + " at " + i);
            }
            assertTrue(issuer.cached() <= max, "cache grew to " + issuer.cached());
        }
        assertTrue(issuer.isCached(inUse), "a token in use was evicted");
        assertTrue(!issuer.isCached(idle), "an idle token stayed");
        assertTrue(issuer.verify(idle).isPresent(), "an evicted token still verifies");
    }

    @Test
    void expiredTokensAreRefusedAndEvictedFirst() {
        TokenIssuer issuer = new TokenIssuer(SECRET, Duration.ofMinutes(5), clock, 8);
        String old = issuer.issue("u-0", "alice", Role.VIEWER).token();
        assertTrue(issuer.verify(old).isPresent());
        clock.advance(Duration.ofMinutes(5));
        assertTrue(issuer.verify(old).isEmpty());
        assertEquals(0, issuer.cached());
    }
}
