package io.marchproxy.control.rest;

import io.marchproxy.control.store.StoreState;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Rendered response bodies of read routes, valid for one immutable {@link StoreState}: the same state and the same
 * request always render the same bytes, so repeated reads skip filtering and JSON serialisation. The cache empties
 * itself when the state it was filled for is superseded, and never holds more than {@value #MAX_ENTRIES} bodies.
 */
public final class RenderCache {
    static final int MAX_ENTRIES = 512;

    private record Generation(StoreState state, Map<String, byte[]> bodies) {
    }

    private volatile Generation current = new Generation(null, new ConcurrentHashMap<>());

    /** The body for {@code key} at {@code state}, rendering it with {@code render} on a miss. */
    public byte[] get(StoreState state, String key, Supplier<byte[]> render) {
        Generation g = current;
        if (g.state() != state) {
            g = new Generation(state, new ConcurrentHashMap<>());
            current = g;
        }
        byte[] body = g.bodies().get(key);
        if (body == null) {
            body = render.get();
            if (g.bodies().size() < MAX_ENTRIES) {
                g.bodies().put(key, body);
            }
        }
        return body;
    }
}
