package io.marchproxy.control.auth;

import io.marchproxy.control.HandClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lock-outs double per failure and survive any number of other usernames being tried. */
class LoginThrottleTest {
    private final HandClock clock = new HandClock();

    private static void fail(LoginThrottle throttle, String username, int times) {
        for (int i = 0; i < times; i++) {
            throttle.failed(username);
        }
    }

    @Test
    void locksAfterFreeFailuresAndDoublesEachTime() {
        LoginThrottle throttle = new LoginThrottle(clock);
        fail(throttle, "alice", LoginThrottle.FREE_FAILURES - 1);
        assertTrue(throttle.lockedFor("alice").isEmpty());
        throttle.failed("alice");
        assertEquals(Duration.ofSeconds(1), throttle.lockedFor("alice").orElseThrow());
        throttle.failed("alice");
        assertEquals(Duration.ofSeconds(2), throttle.lockedFor("alice").orElseThrow());
        clock.advance(Duration.ofSeconds(2));
        assertTrue(throttle.lockedFor("alice").isEmpty(), "the lock-out ends");
        throttle.succeeded("alice");
        fail(throttle, "alice", LoginThrottle.FREE_FAILURES - 1);
        assertTrue(throttle.lockedFor("alice").isEmpty(), "a success starts the count again");
    }

    /**
     * An attacker who sprays more new usernames than the throttle tracks must not unlock the account under attack:
     * with the real capacity, 150,000 names each failing once leave the locked name locked with its full doubling.
     */
    @Test
    void sprayingMoreNamesThanTrackedKeepsALockedAccountLocked() {
        LoginThrottle throttle = new LoginThrottle(clock);
        fail(throttle, "admin", LoginThrottle.FREE_FAILURES + 4);
        Duration before = throttle.lockedFor("admin").orElseThrow();
        int sprayed = LoginThrottle.DEFAULT_CAPACITY + LoginThrottle.DEFAULT_CAPACITY / 2;
        for (int i = 0; i < sprayed; i++) {
            throttle.failed("spray-" + i);
            if (i % 10_000 == 0) {
                assertTrue(throttle.tracked() <= LoginThrottle.DEFAULT_CAPACITY, "bounded: " + throttle.tracked());
            }
        }
        assertEquals(before, throttle.lockedFor("admin").orElseThrow(), "still locked, same lock-out");
        assertEquals(LoginThrottle.DEFAULT_CAPACITY, throttle.tracked(), "full, not cleared");
        throttle.failed("admin");
        assertEquals(before.multipliedBy(2), throttle.lockedFor("admin").orElseThrow(), "the count was kept");
    }

    /**
     * Unlocked names go before locked ones; once every other name is locked, the newcomer is kept and the lock-out
     * with the oldest last failure makes room.
     */
    @Test
    void evictsUnlockedNamesFirstThenTheOldestLockOut() {
        LoginThrottle throttle = new LoginThrottle(clock, 3);
        fail(throttle, "old", LoginThrottle.FREE_FAILURES);
        fail(throttle, "new", LoginThrottle.FREE_FAILURES);
        throttle.failed("once");
        throttle.failed("twice");
        assertEquals(3, throttle.tracked());
        assertTrue(throttle.lockedFor("old").isPresent() && throttle.lockedFor("new").isPresent(), "once went");
        fail(throttle, "twice", LoginThrottle.FREE_FAILURES - 1);
        assertEquals(3, throttle.tracked());
        throttle.failed("third");
        assertTrue(throttle.lockedFor("old").isEmpty(), "all others locked: the oldest lock-out made room");
        assertTrue(throttle.lockedFor("new").isPresent() && throttle.lockedFor("twice").isPresent());
        fail(throttle, "third", LoginThrottle.FREE_FAILURES - 1);
        assertTrue(throttle.lockedFor("third").isPresent(), "the newcomer was counted, not evicted unseen");
    }
}
