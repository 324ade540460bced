package io.marchproxy.control.store;

import java.time.Instant;
import java.util.List;

/**
 * One committed, journaled mutation: sequence number in the journal, the global config version before and after
 * it (equal when only operational state changed), when, who and what. It is also the audit record.
 */
public record ChangeEvent(long seq, long versionBefore, long versionAfter, Instant at, String actor, String action,
                          List<Change> changes) {
    public ChangeEvent {
        changes = List.copyOf(changes);
    }

    public boolean changedConfig() {
        return versionAfter != versionBefore;
    }
}
