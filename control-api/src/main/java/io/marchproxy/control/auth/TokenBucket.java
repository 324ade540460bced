package io.marchproxy.control.auth;

/**
 * Up to {@code burst} tokens, refilled one per {@code refillMillis}: a client may spend a burst at once, then one per
 * interval. Not thread-safe: its owner serialises access.
 */
final class TokenBucket {
    private final int burst;
    private final long refillMillis;
    private double tokens;
    private long refilledAt;

    TokenBucket(int burst, long refillMillis, long nowMillis) {
        this.burst = burst;
        this.refillMillis = refillMillis;
        this.tokens = burst;
        this.refilledAt = nowMillis;
    }

    /** Takes a token and returns 0, or returns how many milliseconds until one is there (taking none). */
    long take(long nowMillis) {
        if (nowMillis > refilledAt) {
            tokens = Math.min(burst, tokens + (nowMillis - refilledAt) / (double) refillMillis);
            refilledAt = nowMillis;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - tokens) * refillMillis));
    }

    /** Gives back a token taken for work that was not done. */
    void refund() {
        tokens = Math.min(burst, tokens + 1);
    }
}
