package io.marchproxy.control.rest;

import io.marchproxy.control.model.AccessAction;
import io.marchproxy.control.model.Cluster;
import io.marchproxy.control.model.LoggingSwitches;
import io.marchproxy.control.store.ChangeEvent;
import io.marchproxy.control.store.ChronicleConfigStore;
import io.marchproxy.control.store.CommitListener;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.control.store.StoreHealth;
import io.marchproxy.control.store.StoreState;
import io.marchproxy.control.store.TransactionBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Journal replays for past versions run one at a time and a request that cannot wait gets a 503; a state the store
 * still keeps from an earlier replay is served at once, without a replay and without a second copy here.
 */
class PastStatesTest {
    private Path dir;
    private ChronicleConfigStore real;
    private ReplayCountingStore store;

    /**
     * The real store, counting replays and able to hold one in progress until released (for at most 10 s, so a
     * replay that should not have started shows up as a failed assertion, not a hung test).
     */
    private static final class ReplayCountingStore implements ConfigStore {
        final ConfigStore delegate;
        final Map<Long, AtomicInteger> replays = new ConcurrentHashMap<>();
        volatile CountDownLatch entered = new CountDownLatch(0);
        volatile CountDownLatch release = new CountDownLatch(0);

        ReplayCountingStore(ConfigStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public StoreState state() {
            return delegate.state();
        }

        @Override
        public <R> R update(String actor, String action, TransactionBody<R> body) {
            return delegate.update(actor, action, body);
        }

        @Override
        public StoreState stateAtConfigVersion(long configVersion) {
            replays.computeIfAbsent(configVersion, v -> new AtomicInteger()).incrementAndGet();
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return delegate.stateAtConfigVersion(configVersion);
        }

        @Override
        public Optional<StoreState> keptStateAtConfigVersion(long configVersion) {
            return delegate.keptStateAtConfigVersion(configVersion);
        }

        @Override
        public List<ChangeEvent> history(Predicate<ChangeEvent> include, int limit) {
            return delegate.history(include, limit);
        }

        @Override
        public AutoCloseable subscribe(CommitListener listener) {
            return delegate.subscribe(listener);
        }

        @Override
        public StoreHealth health() {
            return delegate.health();
        }

        @Override
        public void close() {
            delegate.close();
        }

        int replaysOf(long version) {
            AtomicInteger n = replays.get(version);
            return n == null ? 0 : n.get();
        }
    }

    @BeforeEach
    void open() throws IOException {
        dir = Files.createTempDirectory("marchproxy-past");
        real = ChronicleConfigStore.open(dir, ChronicleConfigStore.Options.defaults());
        store = new ReplayCountingStore(real);
        for (int i = 1; i <= 4; i++) {
            Instant now = Instant.now();
            Cluster c = new Cluster("c-" + i, "cluster-" + i, "", true, false, 3, null,
                    new LoggingSwitches(false, false, false), AccessAction.ALLOW, null, 1, now, now);
            store.update("test", "cluster.create", tx -> tx.put(EntityKind.CLUSTER, c));
        }
    }

    @AfterEach
    void close() throws IOException {
        store.close();
        TestPlane.deleteTree(dir);
    }

    @Test
    void theCurrentVersionNeedsNoReplayAndAPastOneIsReplayedOnce() {
        PastStates past = new PastStates(store);
        StoreState current = store.state();
        assertSame(current, past.at(current.configVersion(), current));
        StoreState two = past.at(2, current);
        assertEquals(2, two.count(EntityKind.CLUSTER));
        assertSame(two, past.at(2, store.state()));
        assertEquals(1, store.replaysOf(2));
        assertEquals(0, store.replaysOf(current.configVersion()));
        assertSame(two, real.keptStateAtConfigVersion(2).orElseThrow(), "the store's kept state, not a copy");
    }

    @Test
    void aStateTheStoreKeepsIsServedWhileAnotherReplayRuns() throws Exception {
        PastStates past = new PastStates(store, Duration.ofMillis(200));
        StoreState current = store.state();
        StoreState two = past.at(2, current);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<StoreState> slow = heldReplay(pool, past, 1);
            assertSame(two, past.at(2, current), "no wait and no 503 for a kept state");
            assertEquals(1, store.replaysOf(2));
            store.release.countDown();
            assertEquals(1, slow.get(10, TimeUnit.SECONDS).count(EntityKind.CLUSTER));
        } finally {
            store.release.countDown();
            pool.shutdownNow();
        }
    }

    /** Starts {@code past.at(version)} on {@code pool} and returns once its replay is running, held until released. */
    private Future<StoreState> heldReplay(ExecutorService pool, PastStates past, long version) throws Exception {
        store.entered = new CountDownLatch(1);
        store.release = new CountDownLatch(1);
        StoreState current = store.state();
        Future<StoreState> f = pool.submit(() -> past.at(version, current));
        assertTrue(store.entered.await(10, TimeUnit.SECONDS), "the replay of version " + version + " started");
        return f;
    }

    @Test
    void onlyOneReplayRunsAndAnotherThatCannotWaitIsA503() throws Exception {
        PastStates past = new PastStates(store, Duration.ofMillis(200));
        StoreState current = store.state();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<StoreState> slow = heldReplay(pool, past, 1);
            ProblemException busy = assertThrows(ProblemException.class, () -> past.at(2, current));
            assertEquals(503, busy.status());
            assertEquals(0, store.replaysOf(2), "no second replay ran alongside the first");

            store.release.countDown();
            assertEquals(1, slow.get(10, TimeUnit.SECONDS).count(EntityKind.CLUSTER));
            assertEquals(2, past.at(2, current).count(EntityKind.CLUSTER), "free again once the first is done");
        } finally {
            store.release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aRequestWaitingForTheSameVersionGetsTheFinishedReplay() throws Exception {
        PastStates past = new PastStates(store, Duration.ofSeconds(10));
        StoreState current = store.state();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<StoreState> first = heldReplay(pool, past, 3);
            Future<StoreState> second = pool.submit(() -> past.at(3, current));
            Thread.sleep(100);
            store.release.countDown();
            assertSame(first.get(10, TimeUnit.SECONDS), second.get(10, TimeUnit.SECONDS));
            assertEquals(1, store.replaysOf(3));
        } finally {
            store.release.countDown();
            pool.shutdownNow();
        }
    }
}
