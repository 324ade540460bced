package io.marchproxy.control.store;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Snapshot files {@code snapshot-<seq>.json} in one directory. A snapshot is written to a temporary file, forced to
 * disk and renamed atomically, so a crash leaves either the old or the new file, never a torn one. The newest
 * {@value #KEEP} are kept; an unreadable newest snapshot falls back to the one before.
 */
final class SnapshotFiles {
    private static final Logger LOG = Logger.getLogger(SnapshotFiles.class.getName());
    private static final int KEEP = 2;
    private static final String PREFIX = "snapshot-";
    private static final String SUFFIX = ".json";
    private static final int BUFFER = 1 << 16;

    private final Path dir;
    private final JournalCodec codec;

    SnapshotFiles(Path dir, JournalCodec codec) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.codec = codec;
        // A snapshot interrupted by a crash leaves only its temporary file; it was never the current snapshot.
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    Optional<JournalCodec.Snapshot> loadLatest() throws IOException {
        for (Path file : newestFirst()) {
            try {
                try (InputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER)) {
                    return Optional.of(codec.readSnapshot(in));
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "skipping unreadable snapshot " + file, e);
            }
        }
        return Optional.empty();
    }

    /**
     * Writes {@code state} as the newest snapshot, streaming it to the file (its memory does not grow with the
     * state), and deletes all but the newest {@value #KEEP}.
     */
    void write(StoreState state, long journalIndex) throws IOException {
        Path target = dir.resolve(PREFIX + String.format("%020d", state.seq()) + SUFFIX);
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), BUFFER);
            codec.writeSnapshot(state, journalIndex, out);
            out.flush();
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
        List<Path> all = newestFirst();
        for (int i = KEEP; i < all.size(); i++) {
            Files.deleteIfExists(all.get(i));
        }
    }

    private List<Path> newestFirst() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(PREFIX) && n.endsWith(SUFFIX);
            }).sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()).toList();
        }
    }
}
