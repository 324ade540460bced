package io.marchproxy.control.store;

import io.marchproxy.control.model.Entity;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
}
