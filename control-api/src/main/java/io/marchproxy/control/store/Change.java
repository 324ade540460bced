package io.marchproxy.control.store;

import io.marchproxy.control.model.Entity;

/** One entity written ({@code after} is the new value) or deleted ({@code after} is null). */
public record Change(EntityKind<?> kind, String id, Entity after) {
    public boolean isDelete() {
        return after == null;
    }
}
