package io.marchproxy.control.store;

import io.marchproxy.control.model.AccessAction;
import io.marchproxy.control.model.Cluster;
import io.marchproxy.control.model.LoggingSwitches;

import java.time.Instant;

final class TestEntities {
    private TestEntities() {
    }

    static Cluster cluster(String id, String name, long revision) {
        Instant now = Instant.now();
        return new Cluster(id, name, "test cluster " + name, true, false, 3, null,
                new LoggingSwitches(false, false, false), AccessAction.ALLOW, "hash-" + id, revision, now, now);
    }
}
