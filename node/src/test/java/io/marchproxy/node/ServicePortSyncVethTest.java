package io.marchproxy.node;

import io.marchproxy.control.rest.TestPlane;
import io.marchproxy.dataplane.bpf.XskProgram;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node's wiring end to end: a real control plane, a real XDP program on a veth lab with UDP traffic to the lab
 * port, and REST changes that must reach the XDP service map (the svc_matched counter starts and stops moving).
 */
class ServicePortSyncVethTest
{
    @Test
    void restChangesReachTheXdpServiceMap() throws Exception
    {
        final LabOptions options = LabOptions.parse(new String[] {"--pps", "500", "--mode", "skb"});
        try (TestPlane t = new TestPlane();
             LabDataplane dataplane = LabDataplane.start(options,
                 XskProgram.POLICY_IPV4_UDP | XskProgram.POLICY_IPV4_TCP | XskProgram.POLICY_SERVICES,
                 new PrintStream(new ByteArrayOutputStream())))
        {
            final XskProgram program = dataplane.program();
            final ServicePortSync sync = new ServicePortSync(t.plane.store(), t.plane.publisher(), "lab", program);
            try (AutoCloseable ignored = t.plane.publisher().subscribe(sync))
            {
                sync.apply();
                assertEquals(0, sync.serviceCount());
                final LongSupplier matched = () -> program.counter(XskProgram.Counter.SERVICE_MATCHED);
                awaitAtLeast(() -> program.counter(XskProgram.Counter.RX_PACKETS), 50);
                assertEquals(0, matched.getAsLong(), "no service yet: nothing matched");

                final String admin = t.adminToken();
                final String cid = t.post("/api/v1/clusters", admin, "{\"name\":\"lab\"}").json().get("id").asText();
                // A service in another cluster and an http one must not enter the L4 map.
                final String other = t.post("/api/v1/clusters", admin, "{\"name\":\"other\"}").json().get("id").asText();
                assertEquals(201, t.post("/api/v1/services", admin, service("elsewhere", other, "udp",
                    LabDataplane.LAB_PORT)).status());
                assertEquals(201, t.post("/api/v1/services", admin, service("web", cid, "http", 80)).status());
                awaitAtLeast(sync::appliedVersion, 4);
                assertEquals(0, sync.serviceCount());

                final var created = t.post("/api/v1/services", admin, service("lab-udp", cid, "udp", LabDataplane.LAB_PORT));
                assertEquals(201, created.status(), created.text());
                awaitAtLeast(sync::serviceCount, 1);
                final long before = matched.getAsLong();
                awaitAtLeast(matched, before + 50);

                final String id = created.json().get("id").asText();
                assertEquals(204, t.send("DELETE", "/api/v1/services/" + id, admin, null,
                    "If-Match", created.header("ETag")).status());
                awaitAtMost(sync::serviceCount, 0);
                final long afterDelete = matched.getAsLong();
                final long rx = program.counter(XskProgram.Counter.RX_PACKETS);
                awaitAtLeast(() -> program.counter(XskProgram.Counter.RX_PACKETS), rx + 100);
                assertTrue(matched.getAsLong() - afterDelete <= 5, "deleted service stops matching");
            }
        }
    }

    private static String service(final String name, final String clusterId, final String protocol, final int port)
    {
        return "{\"name\":\"" + name + "\",\"clusterId\":\"" + clusterId + "\",\"address\":\"10.213.1.1\",\"port\":" +
            port + ",\"protocol\":\"" + protocol + "\"}";
    }

    private static void awaitAtLeast(final LongSupplier value, final long atLeast) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (value.getAsLong() < atLeast && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        assertTrue(value.getAsLong() >= atLeast, "value " + value.getAsLong() + " reached " + atLeast);
    }

    private static void awaitAtMost(final LongSupplier value, final long atMost) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (value.getAsLong() > atMost && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        assertTrue(value.getAsLong() <= atMost, "value " + value.getAsLong() + " fell to " + atMost);
    }
}
