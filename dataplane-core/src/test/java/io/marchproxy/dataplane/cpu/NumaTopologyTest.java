package io.marchproxy.dataplane.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The topology and placement rules over a sysfs tree shaped as a two-node machine's (a NIC on node 1, a veth with no
 * device), and over this machine's real /sys.
 */
class NumaTopologyTest
{
    @TempDir
    Path sysfs;

    private NumaTopology twoNodes() throws IOException
    {
        write("devices/system/cpu/online", "0-7\n");
        write("devices/system/node/node0/cpulist", "0-3\n");
        write("devices/system/node/node1/cpulist", "4-7\n");
        write("devices/system/node/online", "0-1\n");
        write("class/net/ens1f0/device/numa_node", "1\n");
        write("class/net/ens2/device/numa_node", "-1\n");
        Files.createDirectories(sysfs.resolve("class/net/veth0"));
        return NumaTopology.read(sysfs);
    }

    private void write(final String path, final String text) throws IOException
    {
        Files.createDirectories(sysfs.resolve(path).getParent());
        Files.writeString(sysfs.resolve(path), text);
    }

    @Test
    void readsNodesAndTheNodeOfADevice() throws IOException
    {
        final NumaTopology t = twoNodes();
        assertEquals(CpuSet.parse("0-7"), t.online());
        assertEquals(CpuSet.parse("4-7"), t.nodeCpus(1));
        assertEquals(OptionalInt.of(1), t.interfaceNode("ens1f0"));
        assertEquals(OptionalInt.empty(), t.interfaceNode("ens2"), "-1: no node");
        assertEquals(OptionalInt.empty(), t.interfaceNode("veth0"), "no device directory");
        assertEquals(OptionalInt.empty(), t.interfaceNode("missing"));
        assertThrows(IllegalArgumentException.class, () -> t.interfaceNode("../../etc"));
    }

    @Test
    void autoPinsToTheInterfacesNodeAndSaysWhyWhenItCannot() throws IOException
    {
        final NumaTopology t = twoNodes();
        final CpuSet all = CpuSet.parse("0-7");
        final CpuPlacement nic = CpuPlacement.choose(CpuPolicy.AUTO, "ens1f0", true, t, all);
        assertEquals(CpuSet.parse("4-7"), nic.cpus());
        assertEquals(OptionalInt.of(1), nic.node());
        assertTrue(nic.reason().contains("node 1"), nic.reason());

        final CpuPlacement restricted = CpuPlacement.choose(CpuPolicy.AUTO, "ens1f0", true, t, CpuSet.parse("0-5"));
        assertEquals(CpuSet.parse("4-5"), restricted.cpus(), "only the cores the process may use");

        final CpuPlacement veth = CpuPlacement.choose(CpuPolicy.AUTO, "veth0", true, t, all);
        assertFalse(veth.pinned(), "two nodes and no hint: not pinned");
        assertTrue(veth.reason().contains("veth0 has no NUMA node"), veth.reason());

        final CpuPlacement elsewhere = CpuPlacement.choose(CpuPolicy.AUTO, "ens1f0", false, t, all);
        assertFalse(elsewhere.pinned(), "in another namespace the sysfs entry is not its");
        assertTrue(elsewhere.reason().contains("another network namespace"), elsewhere.reason());
    }

    @Test
    void configuredCoresWinAndMustExist() throws IOException
    {
        final NumaTopology t = twoNodes();
        final CpuSet all = CpuSet.parse("0-7");
        final CpuPlacement p = CpuPlacement.choose(CpuPolicy.parse("2"), "ens1f0", true, t, all);
        assertEquals(CpuSet.of(2), p.cpus());
        assertEquals(OptionalInt.of(0), p.node());
        assertTrue(p.reason().contains("ens1f0 is attached to node 1"), "the cross-node choice is called out: "
            + p.reason());
        assertThrows(IllegalArgumentException.class,
            () -> CpuPlacement.choose(CpuPolicy.parse("8"), "ens1f0", true, t, all));
        assertThrows(IllegalArgumentException.class,
            () -> CpuPlacement.choose(CpuPolicy.parse("3"), "ens1f0", true, t, CpuSet.parse("4-7")));
        assertFalse(CpuPlacement.choose(CpuPolicy.NONE, "ens1f0", true, t, all).pinned());
        assertThrows(IllegalArgumentException.class, () -> CpuPolicy.parse("sometimes"));
    }

    @Test
    void thisMachine() throws IOException
    {
        final NumaTopology t = NumaTopology.system();
        assertFalse(t.online().isEmpty());
        assertTrue(t.hasInterface("lo"));
        assertEquals(OptionalInt.empty(), t.interfaceNode("lo"), "loopback has no device");
        final CpuPlacement lo = CpuPlacement.choose(CpuPolicy.AUTO, "lo", true, t, ThreadAffinity.currentThread());
        if (t.nodes().size() == 1)
        {
            assertEquals(t.nodes().values().iterator().next().intersect(ThreadAffinity.currentThread()), lo.cpus(),
                lo.reason());
        }
    }
}
