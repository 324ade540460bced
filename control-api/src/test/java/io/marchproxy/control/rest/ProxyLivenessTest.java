package io.marchproxy.control.rest;

import io.marchproxy.control.HandClock;
import io.marchproxy.control.model.ProxyNode;
import io.marchproxy.control.model.ProxyStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** A proxy's status is derived whenever it is read, from its last sign of life and the stale interval. */
class ProxyLivenessTest {
    private static final Duration STALE_AFTER = Duration.ofSeconds(60);

    private static ProxyNode registered(Instant at) {
        return new ProxyNode("p-1", "edge-1", "edge-1.example.net", "192.0.2.10", "c-1", "0.1.0", List.of(), at, 0,
                1, at, at);
    }

    @Test
    void pendingUntilHeardFromActiveWhileBeatingStaleWhenSilent() {
        HandClock clock = new HandClock();
        ProxyLiveness liveness = new ProxyLiveness(STALE_AFTER, clock);
        ProxyNode node = registered(clock.instant());
        assertEquals(ProxyStatus.PENDING, liveness.status(node));

        clock.advance(Duration.ofSeconds(10));
        liveness.beat(node.id(), 7, Map.of());
        assertEquals(ProxyStatus.ACTIVE, liveness.status(node));
        assertEquals(7, liveness.live(node).lastConfigVersion());
        assertEquals(clock.instant(), liveness.live(node).lastSeen());

        clock.advance(STALE_AFTER);
        assertEquals(ProxyStatus.ACTIVE, liveness.status(node), "exactly the interval is not yet stale");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(ProxyStatus.STALE, liveness.status(node), "the same stored node reads stale later");

        liveness.beat(node.id(), 7, Map.of());
        assertEquals(ProxyStatus.ACTIVE, liveness.status(node), "a heartbeat makes it active again");
    }

    @Test
    void aNodeNeverHeardFromSinceStartGoesStaleFromItsRegistration() {
        HandClock clock = new HandClock();
        ProxyLiveness liveness = new ProxyLiveness(STALE_AFTER, clock);
        ProxyNode node = registered(clock.instant().minus(Duration.ofMinutes(5)));
        assertEquals(ProxyStatus.STALE, liveness.status(node));
        assertEquals(node, liveness.live(node), "without a heartbeat the stored node is shown as stored");
    }

    @Test
    void theStoredRecordCarriesNoStatus() {
        assertFalse(RestJson.tree(registered(Instant.EPOCH)).has("status"));
    }
}
