package io.marchproxy.control.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marchproxy.control.model.Entity;
import io.marchproxy.control.model.ModelJson;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
    /** The snapshot layout {@link #writeSnapshot} writes and {@link #readSnapshot} accepts. */
    static final int SNAPSHOT_FORMAT = 1;
    private final ObjectMapper mapper = ModelJson.newMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * The event as JSON, written straight from the entities with one generator (no intermediate tree: this runs on
     * the store's single writer thread for every write).
     */
    public byte[] encode(ChangeEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = mapper.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("seq", event.seq());
            g.writeNumberField("versionBefore", event.versionBefore());
            g.writeNumberField("versionAfter", event.versionAfter());
            g.writeStringField("at", event.at().toString());
            g.writeStringField("actor", event.actor());
            g.writeStringField("action", event.action());
            g.writeArrayFieldStart("changes");
            for (Change c : event.changes()) {
                g.writeStartObject();
                g.writeStringField("kind", c.kind().wireName());
                g.writeStringField("id", c.id());
                g.writeFieldName("after");
                if (c.isDelete()) {
                    g.writeNull();
                } else {
                    g.writeObject(c.after());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode journal JSON", e);
        }
        return out.toByteArray();
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

    /**
     * Writes the snapshot of {@code state} to {@code out} entity by entity: memory stays that of one entity whatever
     * the state's size (a whole-state tree or byte array would be garbage the size of the store, on a busy heap).
     */
    void writeSnapshot(StoreState state, long journalIndex, OutputStream out) throws IOException {
        try (JsonGenerator g = mapper.createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
            g.writeStartObject();
            g.writeNumberField("format", SNAPSHOT_FORMAT);
            g.writeNumberField("seq", state.seq());
            g.writeNumberField("configVersion", state.configVersion());
            g.writeNumberField("journalIndex", journalIndex);
            g.writeObjectFieldStart("entities");
            for (EntityKind<?> kind : EntityKind.all()) {
                g.writeArrayFieldStart(kind.wireName());
                for (Entity e : state.list(kind)) {
                    g.writeObject(e);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeEndObject();
        }
    }

    /**
     * Reads a snapshot written by {@link #writeSnapshot}, entity by entity; unknown fields are skipped. A snapshot of
     * another format, or without its {@code entities} object, is refused rather than read as an empty state, so the
     * caller falls back to an older snapshot instead of losing every entity.
     *
     * @throws IllegalStateException naming what is missing or wrong
     */
    Snapshot readSnapshot(InputStream in) throws IOException {
        Map<EntityKind<?>, List<Entity>> entities = null;
        Long format = null;
        Long seq = null;
        Long version = null;
        Long journalIndex = null;
        try (JsonParser p = mapper.createParser(in)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "format" -> format = p.getLongValue();
                    case "seq" -> seq = p.getLongValue();
                    case "configVersion" -> version = p.getLongValue();
                    case "journalIndex" -> journalIndex = p.getLongValue();
                    case "entities" -> {
                        expect(value, JsonToken.START_OBJECT);
                        entities = new LinkedHashMap<>();
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            EntityKind<?> kind = kind(p.currentName());
                            expect(p.nextToken(), JsonToken.START_ARRAY);
                            List<Entity> list = new ArrayList<>();
                            while (p.nextToken() != JsonToken.END_ARRAY) {
                                list.add(toEntity(kind, p));
                            }
                            entities.put(kind, list);
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new IllegalStateException("corrupt snapshot JSON: trailing content");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt snapshot JSON", e);
        }
        if (format == null) {
            throw new IllegalStateException("corrupt snapshot JSON: no format");
        }
        if (format != SNAPSHOT_FORMAT) {
            throw new IllegalStateException("unsupported snapshot format " + format + ", expected " + SNAPSHOT_FORMAT);
        }
        if (entities == null) {
            throw new IllegalStateException("corrupt snapshot JSON: no entities object");
        }
        if (seq == null || version == null || journalIndex == null) {
            throw new IllegalStateException("corrupt snapshot JSON: seq, configVersion or journalIndex missing");
        }
        return new Snapshot(StoreState.of(seq, version, entities), journalIndex);
    }

    private static void expect(JsonToken actual, JsonToken expected) {
        if (actual != expected) {
            throw new IllegalStateException("corrupt snapshot JSON: expected " + expected + " but found " + actual);
        }
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

    private Entity toEntity(EntityKind<?> kind, JsonParser p) throws IOException {
        try {
            return mapper.readValue(p, kind.type());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("undecodable " + kind + " in snapshot: " + e.getOriginalMessage(), e);
        }
    }

    private static EntityKind<?> kind(String name) {
        return EntityKind.byWireName(name)
                .orElseThrow(() -> new IllegalStateException("unknown entity kind in journal: " + name));
    }

    private JsonNode read(byte[] json) {
        try {
            return mapper.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("corrupt journal JSON", e);
        }
    }
}
