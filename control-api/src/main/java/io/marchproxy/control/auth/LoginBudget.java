package io.marchproxy.control.auth;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * How much password hashing anonymous callers may make the server do. Every login costs a full PBKDF2 (0.16 s of CPU
 * at the default iterations), known username or not, so without a budget a few clients flooding logins take every
 * core and everything else waits. Two limits, both checked before any hashing:
 * <ul>
 * <li>per client (remote address; an IPv6 client by its /64): a token bucket of {@link Limits#perClientBurst()}
 * attempts, refilled one per {@link Limits#perClientRefill()}, so one flooding address cannot crowd out the
 * others;</li>
 * <li>overall: hashing runs on {@link Limits#hashingThreads()} platform threads of its own (a fraction of the cores,
 * so the request threads keep the rest) with at most {@link Limits#waiting()} attempts waiting; beyond that an
 * attempt is refused at once and the client's token is given back.</li>
 * </ul>
 * A refusal names how long to wait ({@link Refused#retryAfter()}). Thread-safe; {@link #close()} stops the hashing
 * threads.
 */
public final class LoginBudget implements AutoCloseable {
    /**
     * @param perClientBurst  attempts a client may make at once
     * @param perClientRefill time for one more attempt of a client to become available
     * @param hashingThreads  hashes computed at once, server-wide
     * @param waiting         attempts that may wait for a hashing thread, server-wide
     * @param trackedClients  clients whose buckets are kept (least recently seen forgotten first)
     */
    public record Limits(int perClientBurst, Duration perClientRefill, int hashingThreads, int waiting,
                         int trackedClients) {
        public Limits {
            if (perClientBurst < 1 || hashingThreads < 1 || waiting < 1 || trackedClients < 1
                    || perClientRefill.toMillis() < 1) {
                throw new IllegalArgumentException("invalid login limits " + this);
            }
        }

        /**
         * 20 attempts per client at once, then one every 3 s; half the cores hashing (at least one) with four
         * attempts waiting per hashing thread, i.e. about 0.6 s of queue at 600,000 PBKDF2 iterations.
         */
        public static Limits defaults() {
            int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
            return new Limits(20, Duration.ofSeconds(3), threads, 4 * threads, 10_000);
        }
    }

    /** An attempt refused before any hashing, with the time after which a retry can succeed. */
    public static final class Refused extends RuntimeException {
        private final transient Duration retryAfter;
        private final boolean perClient;

        Refused(String message, Duration retryAfter, boolean perClient) {
            super(message, null, false, false);
            this.retryAfter = retryAfter;
            this.perClient = perClient;
        }

        public Duration retryAfter() {
            return retryAfter;
        }

        /** True when this client used its own budget, false when the server-wide one is full. */
        public boolean perClient() {
            return perClient;
        }
    }

    private final Limits limits;
    private final Clock clock;
    private final Map<String, TokenBucket> buckets;
    private final ThreadPoolExecutor hashing;

    public LoginBudget(Limits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
        this.buckets = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, TokenBucket> eldest) {
                return size() > limits.trackedClients();
            }
        };
        this.hashing = new ThreadPoolExecutor(limits.hashingThreads(), limits.hashingThreads(), 0,
                TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(limits.waiting()),
                Thread.ofPlatform().name("login-hashing-", 0).daemon().factory(),
                new ThreadPoolExecutor.AbortPolicy());
    }

    /**
     * Runs {@code work} (the password hashing of one attempt by {@code client}) on a hashing thread and returns its
     * result, or throws {@link Refused} without running it.
     */
    public <T> T run(InetAddress client, Supplier<T> work) {
        String key = clientKey(client);
        long waitMillis;
        synchronized (buckets) {
            waitMillis = buckets.computeIfAbsent(key, k -> new TokenBucket(limits.perClientBurst(),
                    limits.perClientRefill().toMillis(), clock.millis())).take(clock.millis());
        }
        if (waitMillis > 0) {
            throw new Refused("too many login attempts from this address", Duration.ofMillis(waitMillis), true);
        }
        Future<T> result;
        try {
            result = hashing.submit(work::get);
        } catch (RejectedExecutionException e) {
            synchronized (buckets) {
                TokenBucket b = buckets.get(key);
                if (b != null) {
                    b.refund();
                }
            }
            throw new Refused("the server is busy with other logins", Duration.ofSeconds(1), false);
        }
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("login hashing failed", e.getCause());
        } catch (InterruptedException e) {
            result.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for login hashing", e);
        }
    }

    /** Attempts waiting for a hashing thread now. */
    int waiting() {
        return hashing.getQueue().size();
    }

    /** The budget key of an address: IPv4 whole, IPv6 by its /64 (one host usually holds a whole /64). */
    static String clientKey(InetAddress address) {
        byte[] raw = address.getAddress();
        return address instanceof Inet6Address ? HexFormat.of().formatHex(Arrays.copyOf(raw, 8)) + "::/64"
                : address.getHostAddress();
    }

    @Override
    public void close() {
        hashing.shutdownNow();
    }
}
