package io.marchproxy.control.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.marchproxy.control.model.Entity;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON form of journal events and snapshots. Unlike the REST mapper it writes every field, secrets included, since
 * the journal is the only copy of them; unknown fields are ignored so older servers can read newer journals.
 */
public final class JournalCodec {
    private final ObjectMapper mapper = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public byte[] encode(ChangeEvent event) {
        ObjectNode root = mapper.createObjectNode();
        root.put("seq", event.seq());
        root.put("versionBefore", event.versionBefore());
        root.put("versionAfter", event.versionAfter());
        root.put("at", event.at().toString());
        root.put("actor", event.actor());
        root.put("action", event.action());
        ArrayNode changes = root.putArray("changes");
        for (Change c : event.changes()) {
            ObjectNode n = changes.addObject();
            n.put("kind", c.kind().wireName());
            n.put("id", c.id());
            n.set("after", c.isDelete() ? null : mapper.valueToTree(c.after()));
        }
        return write(root);
    }

    public ChangeEvent decode(byte[] json) {
        JsonNode root = read(json);
        List<Change> changes = new ArrayList<>();
        for (JsonNode n : root.get("changes")) {
            EntityKind<?> kind = kind(n.get("kind").asText());
            JsonNode after = n.get("after");
            changes.add(new Change(kind, n.get("id").asText(),
                    after == null || after.isNull() ? null : toEntity(kind, after)));
        }
        return new ChangeEvent(root.get("seq").asLong(), root.get("versionBefore").asLong(),
                root.get("versionAfter").asLong(), Instant.parse(root.get("at").asText()),
                root.get("actor").asText(), root.get("action").asText(), changes);
    }

    byte[] encodeSnapshot(StoreState state, long journalIndex) {
        ObjectNode root = mapper.createObjectNode();
        root.put("format", 1);
        root.put("seq", state.seq());
        root.put("configVersion", state.configVersion());
        root.put("journalIndex", journalIndex);
        ObjectNode entities = root.putObject("entities");
        for (EntityKind<?> kind : EntityKind.all()) {
            ArrayNode arr = entities.putArray(kind.wireName());
            for (Entity e : state.list(kind)) {
                arr.add(mapper.valueToTree(e));
            }
        }
        return write(root);
    }

    Snapshot decodeSnapshot(byte[] json) {
        JsonNode root = read(json);
        Map<EntityKind<?>, List<Entity>> entities = new LinkedHashMap<>();
        root.get("entities").properties().forEach(field -> {
            EntityKind<?> kind = kind(field.getKey());
            List<Entity> list = new ArrayList<>();
            for (JsonNode n : field.getValue()) {
                list.add(toEntity(kind, n));
            }
            entities.put(kind, list);
        });
        long seq = root.get("seq").asLong();
        long version = root.get("configVersion").asLong();
        return new Snapshot(StoreState.of(seq, version, entities), root.get("journalIndex").asLong());
    }

    /** A decoded snapshot: the state it holds and the journal index of the last event it includes. */
    record Snapshot(StoreState state, long journalIndex) {
    }

    private Entity toEntity(EntityKind<?> kind, JsonNode node) {
        try {
            return mapper.treeToValue(node, kind.type());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("undecodable " + kind + " in journal: " + e.getOriginalMessage(), e);
        }
    }

    private static EntityKind<?> kind(String name) {
        return EntityKind.byWireName(name)
                .orElseThrow(() -> new IllegalStateException("unknown entity kind in journal: " + name));
    }

    private byte[] write(JsonNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode journal JSON", e);
        }
    }

    private JsonNode read(byte[] json) {
        try {
            return mapper.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("corrupt journal JSON", e);
        }
    }
}
