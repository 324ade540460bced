package io.marchproxy.control.auth;

import io.marchproxy.control.HandClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-client buckets and the server-wide hashing bound, driven by a hand clock. */
class LoginBudgetTest {
    private final HandClock clock = new HandClock();
    /** Threads that make attempts while the test thread looks on. */
    private final ExecutorService callers = Executors.newFixedThreadPool(2);

    @AfterEach
    void stopCallers() {
        callers.shutdownNow();
    }

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void aClientThatSpentItsBurstWaitsForTheRefillWhileOthersGoOn() throws Exception {
        try (LoginBudget budget = new LoginBudget(new LoginBudget.Limits(3, Duration.ofSeconds(4), 1, 4, 100),
                clock)) {
            for (int i = 0; i < 3; i++) {
                assertEquals("hashed", budget.run(ip("192.0.2.1"), () -> "hashed"));
            }
            LoginBudget.Refused refused = assertThrows(LoginBudget.Refused.class,
                    () -> budget.run(ip("192.0.2.1"), () -> "hashed"));
            assertTrue(refused.perClient());
            assertEquals(Duration.ofSeconds(4), refused.retryAfter());
            assertEquals("hashed", budget.run(ip("192.0.2.2"), () -> "hashed"), "another client is not affected");

            clock.advance(Duration.ofSeconds(3));
            assertEquals(Duration.ofSeconds(1), assertThrows(LoginBudget.Refused.class,
                    () -> budget.run(ip("192.0.2.1"), () -> "hashed")).retryAfter(), "a refusal costs nothing");
            clock.advance(Duration.ofSeconds(1));
            assertEquals("hashed", budget.run(ip("192.0.2.1"), () -> "hashed"), "one refilled");
            assertThrows(LoginBudget.Refused.class, () -> budget.run(ip("192.0.2.1"), () -> "hashed"));
            clock.advance(Duration.ofMinutes(10));
            for (int i = 0; i < 3; i++) {
                budget.run(ip("192.0.2.1"), () -> "hashed");
            }
            assertThrows(LoginBudget.Refused.class, () -> budget.run(ip("192.0.2.1"), () -> "hashed"),
                    "refilled up to the burst, not beyond");
        }
    }

    @Test
    void anIpv6ClientIsItsSlash64() throws Exception {
        try (LoginBudget budget = new LoginBudget(new LoginBudget.Limits(1, Duration.ofSeconds(1), 1, 1, 100),
                clock)) {
            budget.run(ip("2001:db8:1:2::1"), () -> 0);
            assertThrows(LoginBudget.Refused.class, () -> budget.run(ip("2001:db8:1:2:ffff::9"), () -> 0));
            budget.run(ip("2001:db8:1:3::1"), () -> 0);
        }
    }

    /**
     * One hashing thread and one waiting place: a third attempt at once is refused server-wide without waiting, its
     * client's token is given back, and hashing never runs on the caller's thread.
     */
    @Test
    void beyondTheHashingThreadsAndWaitingPlacesAnAttemptIsRefusedAtOnce() throws Exception {
        try (LoginBudget budget = new LoginBudget(new LoginBudget.Limits(1, Duration.ofHours(1), 1, 1, 100),
                clock)) {
            Held first = holdingAHashingThread(budget, "10.0.0.1");
            CompletableFuture<String> second = CompletableFuture.supplyAsync(
                    () -> budget.run(ipUnchecked("10.0.0.2"), () -> "second"), callers);
            for (long until = System.nanoTime() + 10_000_000_000L; budget.waiting() < 1; ) {
                assertTrue(System.nanoTime() < until, "the second attempt never queued");
                Thread.onSpinWait();
            }
            LoginBudget.Refused busy = assertThrows(LoginBudget.Refused.class,
                    () -> budget.run(ip("10.0.0.3"), () -> "third"));
            assertFalse(busy.perClient(), "refused server-wide");
            assertEquals(Duration.ofSeconds(1), busy.retryAfter());
            first.release().countDown();
            assertTrue(first.attempt().get(10, TimeUnit.SECONDS).startsWith("login-hashing-"),
                    "hashed on a hashing thread");
            assertEquals("second", second.get(10, TimeUnit.SECONDS));
            assertEquals("third", budget.run(ip("10.0.0.3"), () -> "third"), "the refused attempt's token was back");
            assertTrue(assertThrows(LoginBudget.Refused.class, () -> budget.run(ip("10.0.0.3"), () -> "")).perClient());
            assertFalse(Thread.currentThread().getName().startsWith("login-hashing-"));
        }
    }

    /**
     * A client has one attempt pending at most: a second one at the same time is refused at once (the client keeps
     * its token), so flooding from one address over many connections holds one place in the queue, not many.
     */
    @Test
    void aClientHasOneAttemptPendingAtATime() throws Exception {
        try (LoginBudget budget = new LoginBudget(new LoginBudget.Limits(5, Duration.ofHours(1), 1, 4, 100),
                clock)) {
            Held first = holdingAHashingThread(budget, "10.0.0.1");
            LoginBudget.Refused second = assertThrows(LoginBudget.Refused.class,
                    () -> budget.run(ip("10.0.0.1"), () -> "second"));
            assertTrue(second.perClient(), "refused for this client");
            assertEquals(Duration.ofSeconds(1), second.retryAfter());
            CompletableFuture<String> other = CompletableFuture.supplyAsync(
                    () -> budget.run(ipUnchecked("10.0.0.2"), () -> "other"), callers);
            first.release().countDown();
            assertTrue(first.attempt().get(10, TimeUnit.SECONDS).startsWith("login-hashing-"));
            assertEquals("other", other.get(10, TimeUnit.SECONDS), "another client was queued, not refused");
            for (int i = 0; i < 4; i++) {
                assertEquals("again", budget.run(ip("10.0.0.1"), () -> "again"), "the refusal cost no token");
            }
            assertThrows(LoginBudget.Refused.class, () -> budget.run(ip("10.0.0.1"), () -> ""));
        }
    }

    /** An attempt holding a hashing thread until {@code release} opens; it answers the thread's name. */
    private record Held(CompletableFuture<String> attempt, CountDownLatch release) {
    }

    /** Starts a {@link Held} attempt by {@code client} from {@link #callers}; it is running when this returns. */
    private Held holdingAHashingThread(LoginBudget budget, String client) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> attempt = CompletableFuture.supplyAsync(() -> budget.run(ipUnchecked(client), () -> {
            running.countDown();
            await(release);
            return Thread.currentThread().getName();
        }), callers);
        assertTrue(running.await(10, TimeUnit.SECONDS), "the attempt never ran");
        return new Held(attempt, release);
    }

    private static InetAddress ipUnchecked(String s) {
        try {
            return ip(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
