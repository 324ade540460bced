package io.marchproxy.control.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A newest snapshot that cannot be read (here: one without entities) gives way to the one before it. */
class SnapshotFilesTest {
    @TempDir
    Path dir;

    @Test
    void anEntityLessNewestSnapshotFallsBackToThePreviousOne() throws Exception {
        SnapshotFiles files = new SnapshotFiles(dir, new JournalCodec());
        StoreState one = StoreState.empty().apply(new ChangeEvent(1, 0, 1, Instant.now(), "a", "c",
                List.of(new Change(EntityKind.CLUSTER, "c1", TestEntities.cluster("c1", "one", 1)))));
        StoreState two = one.apply(new ChangeEvent(2, 1, 2, Instant.now(), "a", "c",
                List.of(new Change(EntityKind.CLUSTER, "c2", TestEntities.cluster("c2", "two", 1)))));
        files.write(one, 10);
        files.write(two, 20);
        assertEquals(2, files.loadLatest().orElseThrow().state().seq());

        Path newest = dir.resolve(String.format("snapshot-%020d.json", 2));
        Files.writeString(newest, "{\"format\":1,\"seq\":2,\"configVersion\":2,\"journalIndex\":20}",
                StandardCharsets.UTF_8);

        JournalCodec.Snapshot loaded = files.loadLatest().orElseThrow();
        assertEquals(1, loaded.state().seq());
        assertEquals(10, loaded.journalIndex());
        assertEquals(1, loaded.state().count(EntityKind.CLUSTER));
    }
}
