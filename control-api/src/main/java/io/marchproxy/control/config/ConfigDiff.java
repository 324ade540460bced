package io.marchproxy.control.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marchproxy.control.model.Entity;
import io.marchproxy.control.model.Nullable;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.control.store.StoreState;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The configuration differences between two states: entities added, removed, or modified in content. Revision and
 * timestamps are not content, so a rollback shows as the content change it is. Values are rendered by the caller's
 * mapper, so the REST layer's secret-hiding applies.
 */
public final class ConfigDiff {
    /** One entity's difference; {@code before} or {@code after} is null for added or removed. */
    public record Entry(String kind, String id, String change, @Nullable JsonNode before,
                        @Nullable JsonNode after) {
    }

    private ConfigDiff() {
    }

    public static List<Entry> between(StoreState from, StoreState to, ObjectMapper mapper) {
        List<Entry> out = new ArrayList<>();
        Map<EntityKind<?>, Map<String, Entity>> a = from.configEntities();
        Map<EntityKind<?>, Map<String, Entity>> b = to.configEntities();
        for (EntityKind<?> kind : a.keySet()) {
            Map<String, Entity> before = a.get(kind);
            Map<String, Entity> after = b.get(kind);
            for (Map.Entry<String, Entity> e : before.entrySet()) {
                Entity next = after.get(e.getKey());
                if (next == null) {
                    out.add(new Entry(kind.wireName(), e.getKey(), "removed", content(mapper, e.getValue()), null));
                } else {
                    JsonNode x = content(mapper, e.getValue());
                    JsonNode y = content(mapper, next);
                    if (!Objects.equals(x, y)) {
                        out.add(new Entry(kind.wireName(), e.getKey(), "modified", x, y));
                    }
                }
            }
            for (Map.Entry<String, Entity> e : after.entrySet()) {
                if (!before.containsKey(e.getKey())) {
                    out.add(new Entry(kind.wireName(), e.getKey(), "added", null, content(mapper, e.getValue())));
                }
            }
        }
        return out;
    }

    private static JsonNode content(ObjectMapper mapper, Entity e) {
        ObjectNode n = mapper.valueToTree(e);
        n.remove(List.of("revision", "createdAt", "updatedAt"));
        return n;
    }
}
