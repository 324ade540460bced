package io.marchproxy.control.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.marchproxy.control.model.AccessAction;
import io.marchproxy.control.model.Cluster;
import io.marchproxy.control.model.Entity;
import io.marchproxy.control.model.Mapping;
import io.marchproxy.control.model.PortClaim;
import io.marchproxy.control.model.Service;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The streaming encoders write exactly the JSON the earlier tree-building ones did (journals and snapshots written by
 * either stay readable by both), and decoding gives back what was encoded.
 */
class JournalCodecTest {
    private final JournalCodec codec = new JournalCodec();
    /** The mapper set-up the tree-building encoder used. */
    private final ObjectMapper tree = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** Entities exactly as the model before default policies, mapping actions and port ranges wrote them. */
    private static final String LEGACY_CLUSTER = "{\"id\":\"c-legacy\",\"name\":\"legacy\",\"description\":\"\","
            + "\"active\":true,\"defaultCluster\":false,\"maxProxies\":3,\"syslogEndpoint\":null,\"logging\":"
            + "{\"auth\":false,\"netflow\":false,\"debug\":false},\"apiKeyHash\":\"hash\",\"revision\":1,"
            + "\"createdAt\":\"2026-11-20T10:00:00Z\",\"updatedAt\":\"2026-11-20T10:00:00Z\"}";
    private static final String LEGACY_SERVICE = "{\"id\":\"s-legacy\",\"name\":\"legacy-web\",\"clusterId\":"
            + "\"c-legacy\",\"address\":\"10.0.0.7\",\"port\":443,\"protocol\":\"https\",\"collection\":"
            + "\"default\",\"backends\":[{\"address\":\"10.0.1.7\",\"port\":8443,\"weight\":1,\"enabled\":true}],"
            + "\"loadBalancing\":\"round_robin\",\"auth\":{\"type\":\"none\",\"token\":null,\"jwtSecret\":null,"
            + "\"jwtAlgorithm\":null,\"jwtExpirySeconds\":null},\"tls\":{\"enabled\":true,\"verify\":false},"
            + "\"healthCheck\":null,\"active\":true,\"revision\":1,\"createdAt\":\"2026-11-20T10:00:00Z\","
            + "\"updatedAt\":\"2026-11-20T10:00:00Z\"}";
    private static final String LEGACY_MAPPING = "{\"id\":\"m-legacy\",\"name\":\"legacy-map\",\"clusterId\":"
            + "\"c-legacy\",\"sources\":[\"all\"],\"destinations\":[\"s-legacy\"],\"protocols\":[\"https\"],"
            + "\"ports\":\"443\",\"authRequired\":false,\"priority\":100,\"comments\":\"\",\"active\":true,"
            + "\"revision\":1,\"createdAt\":\"2026-11-20T10:00:00Z\",\"updatedAt\":\"2026-11-20T10:00:00Z\"}";

    @Test
    void journalsAndSnapshotsWrittenBeforeTheNewFieldsReadWithTheirDocumentedDefaults() throws Exception {
        String event = "{\"seq\":3,\"versionBefore\":2,\"versionAfter\":3,\"at\":\"2026-11-20T10:00:00Z\","
                + "\"actor\":\"admin\",\"action\":\"legacy\",\"changes\":["
                + "{\"kind\":\"cluster\",\"id\":\"c-legacy\",\"after\":" + LEGACY_CLUSTER + "},"
                + "{\"kind\":\"service\",\"id\":\"s-legacy\",\"after\":" + LEGACY_SERVICE + "},"
                + "{\"kind\":\"mapping\",\"id\":\"m-legacy\",\"after\":" + LEGACY_MAPPING + "}]}";
        List<Entity> fromJournal = codec.decode(event.getBytes(StandardCharsets.UTF_8)).changes().stream()
                .map(Change::after).toList();
        String snapshot = "{\"format\":1,\"seq\":3,\"configVersion\":3,\"journalIndex\":7,\"entities\":{"
                + "\"cluster\":[" + LEGACY_CLUSTER + "],\"service\":[" + LEGACY_SERVICE + "],\"mapping\":["
                + LEGACY_MAPPING + "]}}";
        StoreState restored = codec.readSnapshot(new ByteArrayInputStream(snapshot.getBytes(StandardCharsets.UTF_8)))
                .state();
        List<Entity> fromSnapshot = List.of(restored.get(EntityKind.CLUSTER, "c-legacy").orElseThrow(),
                restored.get(EntityKind.SERVICE, "s-legacy").orElseThrow(),
                restored.get(EntityKind.MAPPING, "m-legacy").orElseThrow());
        for (List<Entity> read : List.of(fromJournal, fromSnapshot)) {
            Cluster c = (Cluster) read.get(0);
            Service s = (Service) read.get(1);
            Mapping m = (Mapping) read.get(2);
            assertEquals(AccessAction.ALLOW, c.defaultPolicy(), "a stored cluster keeps admitting what it did");
            assertEquals(null, s.portEnd());
            assertEquals(443, s.lastPort());
            assertEquals(null, s.certificateId(), "the rule chooses, as before");
            assertEquals(null, s.offload(), "https: Envoy's, no offload switch");
            assertEquals(AccessAction.ALLOW, m.action());
            assertEquals(List.of("all"), m.sources());
        }
        assertTrue(restored.findIndexed(EntityKind.SERVICE, PortClaim.of((Service) fromSnapshot.get(1))
                .lookupKeys("c-legacy").getFirst(), x -> true).isPresent(), "a restored service is indexed");
    }

    @Test
    void aTcpOrUdpServiceStoredBeforeTheOffloadSwitchReadsAsOffloadedAndKeepsAnExplicitValue() throws Exception {
        for (String protocol : List.of("tcp", "udp")) {
            String before = LEGACY_SERVICE.replace("\"https\"", "\"" + protocol + "\"");
            assertEquals(Boolean.TRUE, service(before).offload(), protocol + ": offloaded, as it was before");
            String stored = before.replace("\"active\":true", "\"offload\":false,\"active\":true");
            assertEquals(Boolean.FALSE, service(stored).offload(), protocol + ": as written");
        }
    }

    private Service service(String json) throws Exception {
        String event = "{\"seq\":1,\"versionBefore\":0,\"versionAfter\":1,\"at\":\"2026-11-20T10:00:00Z\","
                + "\"actor\":\"admin\",\"action\":\"legacy\",\"changes\":["
                + "{\"kind\":\"service\",\"id\":\"s-legacy\",\"after\":" + json + "}]}";
        return (Service) codec.decode(event.getBytes(StandardCharsets.UTF_8)).changes().getFirst().after();
    }

    @Test
    void eventJsonIsUnchangedAndRoundTrips() throws Exception {
        ChangeEvent event = new ChangeEvent(12, 4, 5, Instant.parse("2026-11-26T10:00:00.123Z"), "admin",
                "cluster.update", List.of(new Change(EntityKind.CLUSTER, "c1", TestEntities.cluster("c1", "one", 2)),
                new Change(EntityKind.CLUSTER, "c2", null)));
        byte[] bytes = codec.encode(event);

        ObjectNode root = tree.createObjectNode();
        root.put("seq", 12);
        root.put("versionBefore", 4);
        root.put("versionAfter", 5);
        root.put("at", event.at().toString());
        root.put("actor", "admin");
        root.put("action", "cluster.update");
        ArrayNode changes = root.putArray("changes");
        for (Change c : event.changes()) {
            ObjectNode n = changes.addObject();
            n.put("kind", c.kind().wireName());
            n.put("id", c.id());
            n.set("after", c.isDelete() ? null : tree.valueToTree(c.after()));
        }
        assertEquals(tree.writeValueAsString(root), new String(bytes, StandardCharsets.UTF_8));

        ChangeEvent decoded = codec.decode(bytes);
        assertEquals(event.seq(), decoded.seq());
        assertEquals(event.at(), decoded.at());
        assertEquals(event.changes().get(0).after(), decoded.changes().get(0).after());
        assertEquals(2, decoded.changes().size());
    }

    @Test
    void snapshotJsonIsUnchangedAndRoundTrips() throws Exception {
        List<Change> puts = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            puts.add(new Change(EntityKind.CLUSTER, "c" + i, TestEntities.cluster("c" + i, "n" + i, 1)));
        }
        StoreState state = StoreState.empty().apply(new ChangeEvent(1, 0, 1, Instant.now(), "a", "x", puts));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        codec.writeSnapshot(state, 99, out);

        ObjectNode root = tree.createObjectNode();
        root.put("format", 1);
        root.put("seq", 1);
        root.put("configVersion", 1);
        root.put("journalIndex", 99);
        ObjectNode entities = root.putObject("entities");
        for (EntityKind<?> kind : EntityKind.all()) {
            ArrayNode arr = entities.putArray(kind.wireName());
            for (Entity e : state.list(kind)) {
                arr.add(tree.valueToTree(e));
            }
        }
        assertEquals(tree.writeValueAsString(root), out.toString(StandardCharsets.UTF_8));

        JournalCodec.Snapshot back = codec.readSnapshot(new ByteArrayInputStream(out.toByteArray()));
        assertEquals(99, back.journalIndex());
        assertEquals(1, back.state().seq());
        assertEquals(new ArrayList<>(state.list(EntityKind.CLUSTER)),
                new ArrayList<>(back.state().list(EntityKind.CLUSTER)));
    }

    @Test
    void truncatedOrIncompleteSnapshotsAreRefused() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        codec.writeSnapshot(StoreState.empty(), 1, out);
        byte[] whole = out.toByteArray();
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 3);
        assertThrows(IllegalStateException.class, () -> codec.readSnapshot(new ByteArrayInputStream(cut)));
        byte[] noIndex = "{\"format\":1,\"seq\":1,\"configVersion\":1,\"entities\":{}}".getBytes(StandardCharsets.UTF_8);
        assertThrows(IllegalStateException.class, () -> codec.readSnapshot(new ByteArrayInputStream(noIndex)));
        JsonNode intact = tree.readTree(whole);
        assertEquals(1, intact.get("journalIndex").asLong(), "the uncut snapshot is valid JSON");
    }

    @Test
    void aSnapshotWithoutEntitiesIsRefusedNotReadAsEmpty() {
        assertRefused("{\"format\":1,\"seq\":5,\"configVersion\":5,\"journalIndex\":9}", "no entities");
        assertRefused("{\"format\":1,\"seq\":5,\"configVersion\":5,\"journalIndex\":9,\"entities\":[]}",
                "expected START_OBJECT");
    }

    @Test
    void aSnapshotOfAnotherFormatOrNoneIsRefused() {
        assertRefused("{\"format\":2,\"seq\":5,\"configVersion\":5,\"journalIndex\":9,\"entities\":{}}",
                "unsupported snapshot format 2");
        assertRefused("{\"seq\":5,\"configVersion\":5,\"journalIndex\":9,\"entities\":{}}", "no format");
        assertRefused("{\"format\":\"one\",\"seq\":5,\"configVersion\":5,\"journalIndex\":9,\"entities\":{}}",
                "corrupt snapshot JSON");
    }

    @Test
    void aMinimalSnapshotOfTheCurrentFormatIsRead() throws Exception {
        byte[] json = "{\"format\":1,\"seq\":5,\"configVersion\":4,\"journalIndex\":9,\"entities\":{}}"
                .getBytes(StandardCharsets.UTF_8);
        JournalCodec.Snapshot s = codec.readSnapshot(new ByteArrayInputStream(json));
        assertEquals(5, s.state().seq());
        assertEquals(9, s.journalIndex());
    }

    private void assertRefused(String json, String messagePart) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> codec.readSnapshot(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))));
        assertTrue(e.getMessage().contains(messagePart), () -> "message names the fault: " + e.getMessage());
    }
}
