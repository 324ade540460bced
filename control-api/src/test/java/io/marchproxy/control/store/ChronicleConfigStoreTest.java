package io.marchproxy.control.store;

import io.marchproxy.control.model.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChronicleConfigStoreTest {
    @TempDir
    Path dir;

    private static ChronicleConfigStore.Options snapshotEvery(int n) {
        return new ChronicleConfigStore.Options(n, net.openhft.chronicle.bytes.SyncMode.NONE, 2000);
    }

    @Test
    void stateIsRebuiltFromSnapshotAndJournalOnReopen() throws Exception {
        try (ChronicleConfigStore store = ChronicleConfigStore.open(dir, snapshotEvery(7))) {
            for (int i = 0; i < 50; i++) {
                String id = "c" + i;
                store.update("alice", "cluster.create", tx -> tx.put(EntityKind.CLUSTER,
                        TestEntities.cluster(id, "name-ü-" + id, 1)));
            }
            store.update("alice", "cluster.delete", tx -> {
                tx.delete(EntityKind.CLUSTER, "c3");
                return null;
            });
        }
        try (ChronicleConfigStore store = ChronicleConfigStore.open(dir, snapshotEvery(7))) {
            StoreState s = store.state();
            assertEquals(51, s.seq());
            assertEquals(51, s.configVersion());
            assertEquals(49, s.count(EntityKind.CLUSTER));
            assertFalse(s.get(EntityKind.CLUSTER, "c3").isPresent());
            assertEquals("name-ü-c49", s.get(EntityKind.CLUSTER, "c49").orElseThrow().name());
            // creation order is kept
            assertEquals("c0", s.list(EntityKind.CLUSTER).iterator().next().id());
        }
    }

    @Test
    void failedTransactionWritesNothing() throws Exception {
        try (ChronicleConfigStore store = ChronicleConfigStore.open(dir, ChronicleConfigStore.Options.defaults())) {
            store.update("a", "x", tx -> tx.put(EntityKind.CLUSTER, TestEntities.cluster("c1", "one", 1)));
            assertThrows(IllegalArgumentException.class, () -> store.update("a", "x", tx -> {
                tx.put(EntityKind.CLUSTER, TestEntities.cluster("c2", "two", 1));
                throw new IllegalArgumentException("abort");
            }));
            assertEquals(1, store.state().seq());
            assertFalse(store.state().get(EntityKind.CLUSTER, "c2").isPresent());
            assertEquals(1, store.history(Long.MAX_VALUE, 10, false).size());
        }
    }

    @Test
    void nonConfigChangesDoNotBumpTheConfigVersion() throws Exception {
        try (ChronicleConfigStore store = ChronicleConfigStore.open(dir, ChronicleConfigStore.Options.defaults())) {
            store.update("a", "cluster.create", tx -> tx.put(EntityKind.CLUSTER, TestEntities.cluster("c1", "one", 1)));
            store.update("a", "licence.install", tx -> tx.put(EntityKind.LICENCE,
                    new io.marchproxy.control.model.LicenceRecord("current", "t", 1, java.time.Instant.now(),
                            java.time.Instant.now())));
            assertEquals(2, store.state().seq());
            assertEquals(1, store.state().configVersion());
            assertEquals(1, store.history(Long.MAX_VALUE, 10, true).size());
        }
    }

    @Test
    void historyIsNewestFirstAndPagesBySequence() throws Exception {
        try (ChronicleConfigStore store = ChronicleConfigStore.open(dir, ChronicleConfigStore.Options.defaults())) {
            for (int i = 1; i <= 10; i++) {
                String id = "c" + i;
                store.update("a", "cluster.create", tx -> tx.put(EntityKind.CLUSTER, TestEntities.cluster(id, id, 1)));
            }
            List<ChangeEvent> first = store.history(Long.MAX_VALUE, 4, false);
            assertEquals(List.of(10L, 9L, 8L, 7L), first.stream().map(ChangeEvent::seq).toList());
            List<ChangeEvent> next = store.history(7, 4, false);
            assertEquals(List.of(6L, 5L, 4L, 3L), next.stream().map(ChangeEvent::seq).toList());
        }
    }

    @Test
    void stateAtConfigVersionReplaysUpToThatVersion() throws Exception {
        try (ChronicleConfigStore store = ChronicleConfigStore.open(dir, snapshotEvery(2))) {
            store.update("a", "c", tx -> tx.put(EntityKind.CLUSTER, TestEntities.cluster("c1", "one", 1)));
            store.update("a", "c", tx -> tx.put(EntityKind.CLUSTER, TestEntities.cluster("c2", "two", 1)));
            store.update("a", "u", tx -> tx.put(EntityKind.CLUSTER, TestEntities.cluster("c1", "uno", 2)));
            StoreState v2 = store.stateAtConfigVersion(2);
            assertEquals("one", v2.get(EntityKind.CLUSTER, "c1").orElseThrow().name());
            assertEquals(2, v2.count(EntityKind.CLUSTER));
            assertEquals(1, store.stateAtConfigVersion(1).count(EntityKind.CLUSTER));
            assertThrows(IllegalArgumentException.class, () -> store.stateAtConfigVersion(4));
        }
    }

    @Test
    void replayedPastStatesAreKeptUpToABound() throws Exception {
        try (ChronicleConfigStore store = ChronicleConfigStore.open(dir, ChronicleConfigStore.Options.defaults())) {
            int versions = ChronicleConfigStore.PAST_STATES_KEPT + 2;
            for (int i = 1; i <= versions; i++) {
                String id = "c" + i;
                store.update("a", "c", tx -> tx.put(EntityKind.CLUSTER, TestEntities.cluster(id, id, 1)));
            }
            assertTrue(store.keptStateAtConfigVersion(1).isEmpty(), "nothing kept before a replay");
            StoreState first = store.stateAtConfigVersion(1);
            assertSame(first, store.keptStateAtConfigVersion(1).orElseThrow());
            assertSame(first, store.stateAtConfigVersion(1), "a kept state is not replayed again");
            for (int v = 2; v <= ChronicleConfigStore.PAST_STATES_KEPT + 1; v++) {
                store.stateAtConfigVersion(v);
            }
            assertTrue(store.keptStateAtConfigVersion(1).isEmpty(), "the least recently used is dropped");
            assertTrue(store.keptStateAtConfigVersion(2).isPresent());
        }
    }

    @Test
    void listenersSeeEveryCommitInOrder() throws Exception {
        try (ChronicleConfigStore store = ChronicleConfigStore.open(dir, ChronicleConfigStore.Options.defaults())) {
            List<Long> seen = new CopyOnWriteArrayList<>();
            CountDownLatch latch = new CountDownLatch(20);
            store.subscribe((event, before, after) -> {
                seen.add(event.seq());
                latch.countDown();
            });
            for (int i = 0; i < 20; i++) {
                Cluster c = TestEntities.cluster("c" + i, "n" + i, 1);
                store.update("a", "c", tx -> tx.put(EntityKind.CLUSTER, c));
            }
            assertTrue(latch.await(10, TimeUnit.SECONDS));
            for (int i = 0; i < 20; i++) {
                assertEquals(i + 1L, seen.get(i));
            }
        }
    }

    @Test
    void syncModesAcknowledgeAfterMsyncAndReopen() throws Exception {
        for (net.openhft.chronicle.bytes.SyncMode mode : List.of(net.openhft.chronicle.bytes.SyncMode.SYNC,
                net.openhft.chronicle.bytes.SyncMode.ASYNC)) {
            Path d = dir.resolve(mode.name());
            try (ChronicleConfigStore store = ChronicleConfigStore.open(d,
                    new ChronicleConfigStore.Options(1000, mode, 2000))) {
                for (int i = 0; i < 20; i++) {
                    Cluster c = TestEntities.cluster("c" + i, "n" + i, 1);
                    store.update("a", "c", tx -> tx.put(EntityKind.CLUSTER, c));
                }
            }
            try (ChronicleConfigStore store = ChronicleConfigStore.open(d, ChronicleConfigStore.Options.defaults())) {
                assertEquals(20, store.state().count(EntityKind.CLUSTER));
            }
        }
    }

    @Test
    void reportsHealth() throws Exception {
        try (ChronicleConfigStore store = ChronicleConfigStore.open(dir, snapshotEvery(1000))) {
            store.update("a", "c", tx -> tx.put(EntityKind.CLUSTER, TestEntities.cluster("c1", "one", 1)));
            StoreHealth h = store.health();
            assertTrue(h.writable());
            assertEquals(1, h.eventsSinceSnapshot());
            assertTrue(h.journalBytes() > 0);
        }
    }
}
