package io.marchproxy.control.xds;

import io.marchproxy.control.config.ResolvedConfig;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Which certificate a service presents depends on the time (a valid one before an expired or not-yet-valid one), so a
 * cluster's Envoy resources can change without any config change: when one of its certificates becomes valid or
 * expires. This asks for a rebuild of the cluster at the next such instant after each build.
 */
final class CertificateValidityTimer implements AutoCloseable {
    private final Clock clock;
    private final Consumer<String> rebuild;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "xds-certificate-validity");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, ScheduledFuture<?>> scheduled = new ConcurrentHashMap<>();

    /** @param rebuild asked, with a cluster id, to rebuild that cluster's resources */
    CertificateValidityTimer(Clock clock, Consumer<String> rebuild) {
        this.clock = clock;
        this.rebuild = rebuild;
    }

    /** After a build of {@code clusterId} from {@code config} (null once the cluster is gone): the next wake-up. */
    void track(String clusterId, ResolvedConfig config) {
        Instant now = clock.instant();
        Optional<Instant> next = config == null ? Optional.empty() : config.certificates().stream()
                .flatMap(c -> Stream.of(c.notBefore(), c.notAfter()))
                .filter(now::isBefore)
                .min(Instant::compareTo);
        ScheduledFuture<?> previous = next.isPresent()
                ? scheduled.put(clusterId, timer.schedule(() -> rebuild.accept(clusterId),
                        Duration.between(now, next.get()).toMillis() + 1, TimeUnit.MILLISECONDS))
                : scheduled.remove(clusterId);
        if (previous != null) {
            previous.cancel(false);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
