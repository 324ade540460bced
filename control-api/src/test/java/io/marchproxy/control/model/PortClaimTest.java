package io.marchproxy.control.model;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PortClaimTest {
    private static PortClaim claim(String address, int port, int portEnd, String protocol, boolean tls) {
        return PortClaim.of(address, port, portEnd, protocol, new TlsSettings(tls, false));
    }

    @Test
    void theListenerRules() {
        PortClaim http = claim("10.0.0.1", 80, 80, "http", false);
        assertFalse(http.clashesWith(claim("10.0.0.1", 80, 80, "http", false)), "virtual hosts share a listener");
        assertTrue(http.clashesWith(claim("10.0.0.1", 80, 80, "https", false)), "TLS and plain on one listener");
        assertTrue(http.clashesWith(claim("10.0.0.1", 80, 80, "http", true)), "tls.enabled is TLS too");
        assertTrue(http.clashesWith(claim("10.0.0.1", 80, 80, "tcp", false)), "http and tcp");
        assertFalse(http.clashesWith(claim("10.0.0.1", 80, 80, "udp", false)), "udp and tcp never clash");
        assertFalse(http.clashesWith(claim("10.0.0.2", 80, 80, "tcp", false)), "another address");
        assertTrue(http.clashesWith(claim("web.internal", 80, 80, "tcp", false)), "a wildcard bind");
        assertTrue(http.clashesWith(claim("web.internal", 80, 80, "http", false)),
                "a wildcard http and an address-bound http are two listeners on one port");
        assertTrue(claim("db.internal", 80, 80, "http", false).clashesWith(claim("0.0.0.0", 80, 80, "tcp", false)));
        assertFalse(claim("db.internal", 80, 80, "http", false)
                .clashesWith(claim("web.internal", 80, 80, "http", false)), "both bind 0.0.0.0: one listener");
        assertTrue(claim("10.0.0.1", 5000, 5010, "tcp", false).clashesWith(claim("10.0.0.1", 5010, 5010, "tcp",
                false)), "ranges overlap at one end");
        assertFalse(claim("10.0.0.1", 5000, 5010, "tcp", false).clashesWith(claim("10.0.0.1", 5011, 5020, "tcp",
                false)));
        assertTrue(claim("10.0.0.1", 5000, 5010, "udp", false).clashesWith(claim("10.0.0.1", 5005, 5005, "udp",
                false)));
        assertFalse(claim("10.0.0.1", 443, 443, "udp", true).tls(), "udp never terminates TLS");
        assertEquals("ports 5000-5010 on 0.0.0.0 (udp)", claim("dns.internal", 5000, 5010, "udp", false)
                .describe());
    }

    /** Every clashing pair is found through the index: one side's lookup keys meet the other's index keys. */
    @Test
    void everyClashIsFoundUnderALookupKey() {
        Random r = new Random(3);
        List<String> addresses = List.of("10.0.0.1", "10.0.0.2", "db.internal", "2001:db8::1");
        List<String> protocols = List.of("http", "https", "tcp", "udp");
        for (int i = 0; i < 20_000; i++) {
            PortClaim a = random(r, addresses, protocols);
            PortClaim b = random(r, addresses, protocols);
            if (a.clashesWith(b)) {
                assertTrue(b.clashesWith(a), "symmetric: " + a + " " + b);
                Set<String> lookup = new HashSet<>(a.lookupKeys("c"));
                lookup.retainAll(b.indexKeys("c"));
                assertFalse(lookup.isEmpty(), a + " must find " + b);
            }
        }
    }

    private static PortClaim random(Random r, List<String> addresses, List<String> protocols) {
        String protocol = protocols.get(r.nextInt(protocols.size()));
        int port = 200 + r.nextInt(400);
        int end = protocol.startsWith("http") ? port : port + (r.nextBoolean() ? 0 : r.nextInt(600));
        return claim(addresses.get(r.nextInt(addresses.size())), port, Math.min(end, 65535), protocol,
                r.nextBoolean());
    }
}
