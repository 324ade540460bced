package io.marchproxy.control.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Slows password guessing per username: after {@value #FREE_FAILURES} consecutive failures, each further attempt is
 * refused until a lock-out that doubles with every failure (1 s, 2 s, 4 s, ... up to 15 min). Unknown usernames are
 * throttled the same way, so lock-outs do not reveal which accounts exist. In memory: a restart forgives.
 *
 * <p>At most {@code capacity} names are tracked. Names with fewer failures than a lock-out needs are evicted first,
 * least recently failed first, so spraying new usernames only pushes out other unlocked names; a locked name is
 * evicted only when every other tracked name is locked (which takes {@code capacity} locked names, five hashed
 * attempts each), and then the one whose last failure is oldest. Thread-safe: one lock, held for a few map
 * operations (logins are rare next to the PBKDF2 each one costs).
 */
public final class LoginThrottle {
    static final int FREE_FAILURES = 5;
    static final int DEFAULT_CAPACITY = 100_000;
    private static final Duration MAX_LOCK = Duration.ofMinutes(15);

    private record Failures(int count, Instant lockedUntil) {
    }

    /** Names below the lock-out threshold, least recently failed first. */
    private final LinkedHashMap<String, Failures> counting = new LinkedHashMap<>();
    /** Names at or past the threshold, oldest last failure first. */
    private final LinkedHashMap<String, Failures> locking = new LinkedHashMap<>();
    private final Clock clock;
    private final int capacity;

    public LoginThrottle(Clock clock) {
        this(clock, DEFAULT_CAPACITY);
    }

    LoginThrottle(Clock clock, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        this.clock = clock;
        this.capacity = capacity;
    }

    /** How long {@code username} must wait before the next attempt, if it is locked out now. */
    public synchronized Optional<Duration> lockedFor(String username) {
        Failures f = locking.get(username);
        if (f == null) {
            return Optional.empty();
        }
        Duration left = Duration.between(clock.instant(), f.lockedUntil());
        return left.isNegative() || left.isZero() ? Optional.empty() : Optional.of(left);
    }

    public synchronized void failed(String username) {
        Failures previous = locking.remove(username);
        if (previous == null) {
            previous = counting.remove(username);
        }
        int count = previous == null ? 1 : previous.count() + 1;
        if (count < FREE_FAILURES) {
            counting.put(username, new Failures(count, null));
        } else {
            long seconds = Math.min(MAX_LOCK.toSeconds(), 1L << Math.min(30, count - FREE_FAILURES));
            locking.put(username, new Failures(count, clock.instant().plusSeconds(seconds)));
        }
        evictBeyondCapacity();
    }

    public synchronized void succeeded(String username) {
        counting.remove(username);
        locking.remove(username);
    }

    /** How many names are tracked now. */
    synchronized int tracked() {
        return counting.size() + locking.size();
    }

    private void evictBeyondCapacity() {
        while (counting.size() + locking.size() > capacity) {
            // The newest unlocked name is the one just failed: keep counting it rather than evict it unseen.
            Map<String, Failures> from = counting.size() > 1 || locking.isEmpty() ? counting : locking;
            Iterator<String> eldest = from.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
    }
}
