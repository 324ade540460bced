package io.marchproxy.dataplane.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The machine's NUMA nodes and their CPUs, and the node a network device is attached to, as sysfs shows them:
 * {@code devices/system/cpu/online}, {@code devices/system/node/node<N>/cpulist} and
 * {@code class/net/<if>/device/numa_node} (absent for virtual devices such as veth, {@code -1} for a device the
 * firmware ties to no node). Read once, at construction; setup-rate.
 *
 * <p>{@code class/net} lists the devices of the network namespace that mounted that sysfs (the process's, for
 * {@code /sys}), so an interface inside another namespace is not found there.
 */
public final class NumaTopology
{
    /** The system's sysfs. */
    public static final Path SYSFS = Path.of("/sys");

    private final Path sysfs;
    private final CpuSet online;
    private final Map<Integer, CpuSet> nodes;

    private NumaTopology(final Path sysfs, final CpuSet online, final Map<Integer, CpuSet> nodes)
    {
        this.sysfs = sysfs;
        this.online = online;
        this.nodes = nodes;
    }

    /**
     * {@return the topology under {@code sysfs}}
     *
     * @param sysfs where sysfs is mounted (normally {@link #SYSFS})
     * @throws IOException when it cannot be read
     */
    public static NumaTopology read(final Path sysfs) throws IOException
    {
        final CpuSet online = CpuSet.parse(Files.readString(sysfs.resolve("devices/system/cpu/online")));
        final Map<Integer, CpuSet> nodes = new TreeMap<>();
        final Path nodeDir = sysfs.resolve("devices/system/node");
        if (Files.isDirectory(nodeDir))
        {
            try (Stream<Path> entries = Files.list(nodeDir))
            {
                for (final Path p : entries.toList())
                {
                    final String name = p.getFileName().toString();
                    if (name.matches("node[0-9]+") && Files.exists(p.resolve("cpulist")))
                    {
                        nodes.put(Integer.parseInt(name.substring(4)),
                            CpuSet.parse(Files.readString(p.resolve("cpulist"))));
                    }
                }
            }
        }
        return new NumaTopology(sysfs, online, Map.copyOf(nodes));
    }

    /**
     * {@return the system's topology ({@code /sys})}
     *
     * @throws IOException when it cannot be read
     */
    public static NumaTopology system() throws IOException
    {
        return read(SYSFS);
    }

    /** {@return the CPUs online} */
    public CpuSet online()
    {
        return online;
    }

    /** {@return NUMA node number to its CPUs; empty on a kernel without NUMA support} */
    public Map<Integer, CpuSet> nodes()
    {
        return nodes;
    }

    /**
     * {@return the CPUs of {@code node}, empty for a node that does not exist}
     *
     * @param node a NUMA node number
     */
    public CpuSet nodeCpus(final int node)
    {
        return nodes.getOrDefault(node, CpuSet.EMPTY);
    }

    /**
     * {@return the NUMA node of network interface {@code ifname}} Empty when the interface has no device (virtual:
     * veth, bridges), when the firmware ties it to no node ({@code -1}), or when this sysfs does not list it.
     *
     * @param ifname the interface's name
     * @throws IOException when its node cannot be read
     */
    public OptionalInt interfaceNode(final String ifname) throws IOException
    {
        if (ifname.isEmpty() || ifname.contains("/") || ifname.startsWith("."))
        {
            throw new IllegalArgumentException("not an interface name: '" + ifname + "'");
        }
        try
        {
            final int node = Integer.parseInt(
                Files.readString(sysfs.resolve("class/net").resolve(ifname).resolve("device/numa_node")).strip());
            return node < 0 ? OptionalInt.empty() : OptionalInt.of(node);
        }
        catch (final NoSuchFileException ex)
        {
            return OptionalInt.empty();
        }
    }

    /**
     * {@return true when this sysfs lists interface {@code ifname}}
     *
     * @param ifname the interface's name
     */
    public boolean hasInterface(final String ifname)
    {
        return Files.isDirectory(sysfs.resolve("class/net").resolve(ifname));
    }
}
