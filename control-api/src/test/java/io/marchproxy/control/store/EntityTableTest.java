package io.marchproxy.control.store;

import io.marchproxy.control.model.Entity;
import io.marchproxy.control.model.PortClaim;
import io.marchproxy.control.model.Service;
import io.marchproxy.control.model.ServiceAuth;
import io.marchproxy.control.model.TlsSettings;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Random batches of puts and deletes against a LinkedHashMap model; every older version must stay as it was. */
class EntityTableTest {
    @Test
    void behavesLikeAnInsertionOrderedMapAndVersionsStayIndependent() {
        Random r = new Random(42);
        EntityTable table = EntityTable.empty(EntityKind.CLUSTER);
        Map<String, Entity> model = new LinkedHashMap<>();
        List<EntityTable> versions = new ArrayList<>();
        List<List<Entity>> expected = new ArrayList<>();
        int nextId = 0;
        for (int step = 0; step < 1500; step++) {
            List<Change> batch = new ArrayList<>();
            int n = 1 + r.nextInt(r.nextInt(10) == 0 ? 300 : 4);
            for (int i = 0; i < n; i++) {
                int op = r.nextInt(10);
                if (op < 5 || model.isEmpty()) {
                    String id = "e" + nextId++;
                    Entity e = TestEntities.cluster(id, id, 1);
                    batch.add(new Change(EntityKind.CLUSTER, id, e));
                    model.put(id, e);
                } else {
                    List<String> ids = new ArrayList<>(model.keySet());
                    String id = ids.get(r.nextInt(ids.size()));
                    if (op < 7) {
                        Entity e = TestEntities.cluster(id, id + "-v" + step, 2);
                        batch.add(new Change(EntityKind.CLUSTER, id, e));
                        model.put(id, e);
                    } else {
                        batch.add(new Change(EntityKind.CLUSTER, id, null));
                        model.remove(id);
                    }
                }
            }
            table = table.with(batch);
            assertEquals(model.size(), table.size());
            if (step % 100 == 0) {
                versions.add(table);
                expected.add(new ArrayList<>(model.values()));
            }
        }
        assertEquals(new ArrayList<>(model.values()), new ArrayList<>(table.values()));
        for (String id : model.keySet()) {
            assertEquals(model.get(id), table.get(id));
            assertEquals(model.get(id), table.byKey(((io.marchproxy.control.model.Cluster) model.get(id)).name()),
                    "unique-key index");
        }
        assertNull(table.byKey("e0-never"));
        assertNull(table.get("absent"));
        for (int v = 0; v < versions.size(); v++) {
            assertEquals(expected.get(v), new ArrayList<>(versions.get(v).values()), "version " + v + " changed");
        }
    }

    /**
     * The non-unique index against a scan: after random puts, updates (moves, deactivations) and deletes of services,
     * looking a claim up under its lookup keys finds a clashing service exactly when one exists, in the newest
     * version and in every older one.
     */
    @Test
    void indexedLookupsAgreeWithAScanInEveryVersion() {
        Random r = new Random(7);
        List<String> addresses = List.of("10.0.0.1", "10.0.0.2", "db.internal");
        List<String> protocols = List.of("http", "https", "tcp", "udp");
        EntityTable table = EntityTable.empty(EntityKind.SERVICE);
        Map<String, Service> model = new LinkedHashMap<>();
        List<EntityTable> versions = new ArrayList<>();
        List<List<Service>> expected = new ArrayList<>();
        for (int step = 0; step < 600; step++) {
            List<Change> batch = new ArrayList<>();
            for (int i = 0; i < 1 + r.nextInt(5); i++) {
                String id = "s" + r.nextInt(200);
                if (r.nextInt(6) == 0) {
                    batch.add(new Change(EntityKind.SERVICE, id, null));
                    model.remove(id);
                } else {
                    String protocol = protocols.get(r.nextInt(protocols.size()));
                    int port = 100 + r.nextInt(700);
                    Integer end = protocol.startsWith("http") || r.nextBoolean() ? null : port + r.nextInt(300);
                    Service s = service(id, r.nextBoolean() ? "c1" : "c2", addresses.get(r.nextInt(3)), port, end,
                            protocol, r.nextInt(5) > 0);
                    batch.add(new Change(EntityKind.SERVICE, id, s));
                    model.put(id, s);
                }
            }
            table = table.with(batch);
            if (step % 50 == 0) {
                versions.add(table);
                expected.add(List.copyOf(model.values()));
            }
        }
        versions.add(table);
        expected.add(List.copyOf(model.values()));
        int clashes = 0;
        for (int v = 0; v < versions.size(); v++) {
            for (int probe = 0; probe < 300; probe++) {
                String protocol = protocols.get(r.nextInt(protocols.size()));
                int port = 100 + r.nextInt(700);
                Service candidate = service("probe", "c1", addresses.get(r.nextInt(3)), port,
                        protocol.startsWith("http") ? null : port + r.nextInt(50), protocol, true);
                PortClaim claim = PortClaim.of(candidate);
                boolean scan = expected.get(v).stream().anyMatch(s -> s.active() && s.clusterId().equals("c1")
                        && PortClaim.of(s).clashesWith(claim));
                EntityTable t = versions.get(v);
                boolean indexed = claim.lookupKeys("c1").stream().anyMatch(k -> t.findIndexed(k,
                        e -> PortClaim.of((Service) e).clashesWith(claim)) != null);
                assertEquals(scan, indexed, "version " + v + ", " + claim);
                clashes += scan ? 1 : 0;
            }
        }
        assertTrue(clashes > 100 && clashes < 3000, "probes clash sometimes: " + clashes);
    }

    private static Service service(String id, String cluster, String address, int port, Integer portEnd,
                                   String protocol, boolean active) {
        Instant now = Instant.EPOCH;
        return new Service(id, id, cluster, address, port, portEnd, protocol, "default", List.of(), "round_robin",
                ServiceAuth.NONE, TlsSettings.OFF, null, null, null, active, 1, now, now);
    }
}
