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
 * <li>per client (remote address; an IPv6 client by its /64): one attempt at a time, and a token bucket of
 * {@link Limits#perClientBurst()} attempts, refilled one per {@link Limits#perClientRefill()};</li>
 * <li>overall: hashing runs on {@link Limits#hashingThreads()} platform threads of its own (a fraction of the cores,
 * so the request threads keep the rest) with at most {@link Limits#waiting()} attempts waiting; beyond that an
 * attempt is refused at once and the client's token is given back.</li>
 * </ul>
 * Since a client holds at most one place, a client is refused server-wide only while more than
 * {@code hashingThreads + waiting} other addresses have attempts pending, however fast each of them retries: a user
 * logging in during a flood from fewer addresses waits behind one attempt per flooding address at most.
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
                throw new IllegalArgumentException("invalid login limits: burst " + perClientBurst + ", refill "
                        + perClientRefill + ", threads " + hashingThreads + ", waiting " + waiting + ", clients "
                        + trackedClients);
            }
        }

        /**
         * 20 attempts per client, then one every 3 s; half the cores hashing (at least one) with 16 attempts waiting
         * per hashing thread, i.e. at most about 2.6 s of queue at 600,000 PBKDF2 iterations.
         */
        public static Limits defaults() {
            int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
            return new Limits(20, Duration.ofSeconds(3), threads, 16 * threads, 10_000);
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
    private final Map<String, Client> clients;
    private final ThreadPoolExecutor hashing;

    /** One client's bucket and whether it has an attempt pending; guarded by {@link #clients}. */
    private static final class Client {
        final TokenBucket bucket;
        boolean pending;

        Client(TokenBucket bucket) {
            this.bucket = bucket;
        }
    }

    public LoginBudget(Limits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
        this.clients = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Client> eldest) {
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
        Client c;
        synchronized (clients) {
            c = clients.computeIfAbsent(clientKey(client), k -> new Client(new TokenBucket(limits.perClientBurst(),
                    limits.perClientRefill().toMillis(), clock.millis())));
            if (c.pending) {
                throw new Refused("another login from this address is in progress", Duration.ofSeconds(1), true);
            }
            long waitMillis = c.bucket.take(clock.millis());
            if (waitMillis > 0) {
                throw new Refused("too many login attempts from this address", Duration.ofMillis(waitMillis), true);
            }
            c.pending = true;
        }
        Future<T> result;
        try {
            result = hashing.submit(work::get);
        } catch (RejectedExecutionException e) {
            synchronized (clients) {
                c.bucket.refund();
                c.pending = false;
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
        } finally {
            synchronized (clients) {
                c.pending = false;
            }
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
