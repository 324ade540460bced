package io.marchproxy.control.store;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Child process of {@link ChronicleConfigStoreCrashTest}: writes clusters from several threads as fast as it can and
 * prints {@code ACK <id>} after each update returns, until it is killed.
 */
public final class CrashWriterMain {
    private CrashWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        PrintStream out = System.out;
        ChronicleConfigStore store = ChronicleConfigStore.open(dir,
                new ChronicleConfigStore.Options(250, net.openhft.chronicle.bytes.SyncMode.NONE, 2000));
        AtomicInteger counter = new AtomicInteger();
        out.println("READY");
        out.flush();
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = new Thread(() -> {
                while (true) {
                    String id = args[2] + counter.incrementAndGet();
                    store.update("crash-test", "cluster.create",
                            tx -> tx.put(EntityKind.CLUSTER, TestEntities.cluster(id, "name-" + id, 1)));
                    synchronized (out) {
                        out.println("ACK " + id);
                        out.flush();
                    }
                }
            });
            workers[t].start();
        }
        for (Thread w : workers) {
            w.join();
        }
    }
}
