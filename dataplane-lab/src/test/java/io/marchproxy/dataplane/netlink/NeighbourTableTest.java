package io.marchproxy.dataplane.netlink;

import io.marchproxy.ffm.ErrnoException;
import io.marchproxy.ffm.libc.Errno;
import io.marchproxy.lab.L4Lab;
import io.marchproxy.lab.LabHost;
import io.marchproxy.lab.LabInterface;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The neighbour table of an L4 lab's node, which has no static entries: MACs the kernel resolves when asked, a
 * permanent entry read back, both families, and the failures an operator meets. The table is opened inside the node's
 * namespace and used from the test thread, which is not in it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NeighbourTableTest
{
    private static L4Lab lab;
    private static NeighbourTable table;
    private static LabInterface front;
    private static LabHost client;

    @BeforeAll
    static void setUp() throws Exception
    {
        lab = L4Lab.create(1, 1);
        table = NeighbourTable.open(lab.node());
        front = lab.front();
        client = lab.clients().getFirst();
    }

    @AfterAll
    static void tearDown()
    {
        if (table != null)
        {
            table.close();
        }
        if (lab != null)
        {
            lab.close();
        }
    }

    @Test
    void resolvesAnIpv4PeerTheKernelHasNotSeenYet()
    {
        resolvesUnseenPeer(client.link().ipv4());
    }

    @Test
    void resolvesAnIpv6PeerTheKernelHasNotSeenYet()
    {
        resolvesUnseenPeer(client.link().ipv6());
    }

    private static void resolvesUnseenPeer(final InetAddress peer)
    {
        lab.node().exec("ip", "neigh", "flush", "dev", front.name());
        assertEquals(Optional.empty(), table.find(front.ifindex(), peer), "flushed: no entry for " + peer);

        table.solicit(front.ifindex(), peer);
        final NeighbourEntry asked = table.find(front.ifindex(), peer).orElseThrow(
            () -> new AssertionError("NTF_USE created no entry for " + peer));
        assertTrue(asked.state() == NeighbourState.INCOMPLETE || asked.usable(), "after NTF_USE: " + asked);

        final NeighbourEntry resolved = table.resolve(front.ifindex(), peer, Duration.ofSeconds(5));
        assertEquals(NeighbourState.REACHABLE, resolved.state(), resolved.toString());
        assertEquals(client.link().mac(), resolved.mac());
        assertEquals(front.ifindex(), resolved.ifindex());
        assertEquals(peer, resolved.address());
        assertTrue(table.entries(front.ifindex()).contains(resolved), "the dump lists " + resolved);
        assertEquals(resolved, table.resolve(front.ifindex(), peer, Duration.ofMillis(1)),
            "a usable entry is returned at once");
    }

    @Test
    void readsAPermanentEntry() throws Exception
    {
        final MacAddress mac = MacAddress.parse("02:4c:34:0f:00:63");
        final InetAddress address = InetAddress.getByName("10.213.0.99");
        lab.node().exec("ip", "neigh", "replace", "10.213.0.99", "lladdr", mac.toString(), "dev", front.name(),
            "nud", "permanent");
        try
        {
            final NeighbourEntry entry = table.find(front.ifindex(), address).orElseThrow();
            assertEquals(new NeighbourEntry(front.ifindex(), address, NeighbourState.PERMANENT, mac, 0), entry);
            assertTrue(entry.usable());
            assertTrue(table.entries(front.ifindex()).contains(entry));
            assertEquals(entry, table.resolve(front.ifindex(), address, Duration.ofMillis(1)));
        }
        finally
        {
            lab.node().exec("ip", "neigh", "del", "10.213.0.99", "dev", front.name());
        }
    }

    @Test
    void aMissingHostTimesOutWithTheAddressTheInterfaceAndTheState() throws Exception
    {
        final InetAddress nobody = InetAddress.getByName("10.213.0.98");
        final long start = System.nanoTime();
        final NeighbourUnresolvedException ex = assertThrows(NeighbourUnresolvedException.class,
            () -> table.resolve(front.ifindex(), nobody, Duration.ofMillis(1500)));
        final long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(tookMillis >= 1500 && tookMillis < 4000, "bounded by the timeout: " + tookMillis + " ms");
        assertTrue(ex.getMessage().startsWith("10.213.0.98 on front (ifindex " + front.ifindex() + ") did not resolve " +
            "within 1500 ms: no answer to the kernel's ARP requests"), ex.getMessage());
        assertEquals(nobody, ex.address());
        assertEquals(front.ifindex(), ex.ifindex());
        assertTrue(ex.lastState() == NeighbourState.INCOMPLETE || ex.lastState() == NeighbourState.FAILED,
            "last state " + ex.lastState());

        final NeighbourUnresolvedException v6 = assertThrows(NeighbourUnresolvedException.class,
            () -> table.resolve(front.ifindex(), InetAddress.getByName("fd00:213::98"), Duration.ofMillis(500)));
        assertTrue(v6.getMessage().contains("neighbour solicitations"), v6.getMessage());
    }

    @Test
    void anUnknownIfindexIsAClearErrorEverywhere() throws Exception
    {
        final int unknown = 9999;
        final InetAddress peer = client.link().ipv4();
        for (final Runnable call : new Runnable[] {
            () -> table.link(unknown),
            () -> table.entries(unknown),
            () -> table.find(unknown, peer),
            () -> table.solicit(unknown, peer),
            () -> table.resolve(unknown, peer, Duration.ofSeconds(1))})
        {
            final ErrnoException ex = assertThrows(ErrnoException.class, call::run);
            assertEquals(Errno.ENODEV, ex.errno(), ex.getMessage());
            assertTrue(ex.getMessage().contains("ifindex 9999"), ex.getMessage());
            assertTrue(ex.getMessage().contains("no interface with index 9999 in this network namespace"),
                ex.getMessage());
        }
    }

    @Test
    void linkReportsTheInterfacesOwnNameMacAndMtu()
    {
        assertEquals(new InterfaceLink(front.ifindex(), "front", front.mac(), 1500), table.link(front.ifindex()));
        assertEquals(lab.back().mac(), table.link(lab.back().ifindex()).mac());
    }

    @Test
    void closeReleasesBothSockets() throws Exception
    {
        // The sockets themselves (by inode), not a count of descriptors: other threads of this JVM may close files of
        // earlier tests meanwhile.
        final Set<String> before = openSockets();
        final NeighbourTable other = NeighbourTable.open(lab.node());
        final Set<String> opened = new HashSet<>(openSockets());
        opened.removeAll(before);
        assertEquals(2, opened.size(), "sockets the table opened: " + opened);
        other.close();
        other.close();
        final Set<String> left = new HashSet<>(openSockets());
        left.retainAll(opened);
        assertEquals(Set.of(), left, "the table's sockets still open after close");
        assertThrows(IllegalStateException.class, () -> other.link(front.ifindex()));
    }

    @Test
    void macAddressesParseAndPrint()
    {
        final MacAddress mac = MacAddress.parse("02:4C:34:01:00:0b");
        assertEquals(0x02_4c_34_01_00_0bL, mac.bits());
        assertEquals("02:4c:34:01:00:0b", mac.toString());
        assertEquals(mac, MacAddress.of(mac.octets()));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("02:4c:34:01:00"));
        assertThrows(IllegalArgumentException.class, () -> new MacAddress(1L << 48));
        assertNull(new NeighbourEntry(1, client.link().ipv4(), NeighbourState.FAILED, null, 0).mac());
        assertFalse(new NeighbourEntry(1, client.link().ipv4(), NeighbourState.FAILED, null, 0).usable());
    }

    /** {@return the sockets this process has open, as their /proc links name them ("socket:[inode]")} */
    private static Set<String> openSockets() throws IOException
    {
        final Set<String> sockets = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            for (final Path fd : (Iterable<Path>)fds::iterator)
            {
                try
                {
                    final String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:"))
                    {
                        sockets.add(target);
                    }
                }
                catch (final NoSuchFileException closedMeanwhile)
                {
                    // a descriptor closed between the listing and the read (the listing's own, or another thread's)
                }
            }
        }
        return sockets;
    }
}
