package io.marchproxy.control.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing per username: after {@value #FREE_FAILURES} consecutive failures, each further attempt is
 * refused until a lock-out that doubles with every failure (1 s, 2 s, 4 s, ... up to 15 min). Unknown usernames are
 * throttled the same way, so lock-outs do not reveal which accounts exist. In memory: a restart forgives. Thread-safe.
 */
public final class LoginThrottle {
    static final int FREE_FAILURES = 5;
    private static final Duration MAX_LOCK = Duration.ofMinutes(15);
    private static final int MAX_TRACKED = 100_000;

    private record Failures(int count, Instant lockedUntil) {
    }

    private final Map<String, Failures> failures = new ConcurrentHashMap<>();
    private final Clock clock;

    public LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** How long {@code username} must wait before the next attempt, if it is locked out now. */
    public Optional<Duration> lockedFor(String username) {
        Failures f = failures.get(username);
        if (f == null || f.lockedUntil() == null) {
            return Optional.empty();
        }
        Duration left = Duration.between(clock.instant(), f.lockedUntil());
        return left.isNegative() || left.isZero() ? Optional.empty() : Optional.of(left);
    }

    public void failed(String username) {
        if (failures.size() >= MAX_TRACKED) {
            failures.clear();
        }
        failures.compute(username, (u, f) -> {
            int count = f == null ? 1 : f.count() + 1;
            if (count < FREE_FAILURES) {
                return new Failures(count, null);
            }
            long seconds = Math.min(MAX_LOCK.toSeconds(), 1L << Math.min(30, count - FREE_FAILURES));
            return new Failures(count, clock.instant().plusSeconds(seconds));
        });
    }

    public void succeeded(String username) {
        failures.remove(username);
    }
}
