package io.marchproxy.dataplane.cpu;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The CPUs a dataplane worker is pinned to and why: the outcome of a {@link CpuPolicy} on this machine's
 * {@link NumaTopology} for the interface the worker serves. Logged at start and shown with the proxy's statistics.
 *
 * @param cpus   the CPUs to pin to; empty when the worker is not pinned
 * @param node   the NUMA node those CPUs belong to, when there is one
 * @param reason one sentence for the operator: what was chosen, from what, and what was missing
 */
public record CpuPlacement(CpuSet cpus, OptionalInt node, String reason)
{
    /** Checks that no component is null. */
    public CpuPlacement
    {
        Objects.requireNonNull(cpus, "cpus");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(reason, "reason");
    }

    /** {@return true when the worker is pinned} */
    public boolean pinned()
    {
        return !cpus.isEmpty();
    }

    /**
     * {@return where a worker serving {@code ifname} runs under {@code policy}}
     *
     * @param policy   what is configured
     * @param ifname   the interface the worker serves
     * @param visible  whether {@code ifname} is in the network namespace whose devices {@code topology}'s sysfs lists
     *                 (the process's own): an interface in another namespace has no readable NUMA node
     * @param topology the machine's NUMA nodes
     * @param allowed  the CPUs this process may use ({@link ThreadAffinity#currentThread()} of a control thread)
     * @throws IOException when sysfs cannot be read
     * @throws IllegalArgumentException when configured CPUs are offline or not allowed to the process
     */
    public static CpuPlacement choose(
        final CpuPolicy policy, final String ifname, final boolean visible, final NumaTopology topology,
        final CpuSet allowed) throws IOException
    {
        final CpuSet usable = topology.online().intersect(allowed);
        final OptionalInt ifNode = visible ? topology.interfaceNode(ifname) : OptionalInt.empty();
        switch (policy.mode())
        {
            case NONE:
                return new CpuPlacement(CpuSet.EMPTY, OptionalInt.empty(), "not pinned (cores: none)");
            case CPUS:
            {
                if (!policy.cpus().isSubsetOf(usable))
                {
                    throw new IllegalArgumentException("cores " + policy.cpus() + " are not all online and allowed to "
                        + "this process (online " + topology.online() + ", allowed " + allowed + ")");
                }
                final OptionalInt node = nodeOf(policy.cpus(), topology);
                String reason = "cores " + policy.cpus() + " (configured)"
                    + (node.isPresent() ? ", NUMA node " + node.getAsInt() : "");
                if (node.isPresent() && ifNode.isPresent() && node.getAsInt() != ifNode.getAsInt())
                {
                    reason += "; " + ifname + " is attached to node " + ifNode.getAsInt()
                        + ": every frame crosses nodes";
                }
                return new CpuPlacement(policy.cpus(), node, reason);
            }
            default:
                break;
        }
        if (ifNode.isPresent())
        {
            final CpuSet cpus = topology.nodeCpus(ifNode.getAsInt()).intersect(usable);
            if (!cpus.isEmpty())
            {
                return new CpuPlacement(cpus, ifNode, "cores " + cpus + " of NUMA node " + ifNode.getAsInt()
                    + ", the node " + ifname + " is attached to");
            }
            return new CpuPlacement(CpuSet.EMPTY, OptionalInt.empty(), "not pinned: " + ifname + " is on NUMA node "
                + ifNode.getAsInt() + ", none of whose cores is online and allowed to this process");
        }
        final String missing = visible
            ? ifname + " has no NUMA node (a virtual device such as veth, or the firmware names none)"
            : ifname + " is in another network namespace, whose devices this process's /sys does not list";
        if (topology.nodes().size() == 1)
        {
            final Map.Entry<Integer, CpuSet> only = topology.nodes().entrySet().iterator().next();
            final CpuSet cpus = only.getValue().intersect(usable);
            if (!cpus.isEmpty())
            {
                return new CpuPlacement(cpus, OptionalInt.of(only.getKey()), missing + "; the machine has one NUMA "
                    + "node: its cores " + cpus);
            }
        }
        return new CpuPlacement(CpuSet.EMPTY, OptionalInt.empty(), missing + "; not pinned ("
            + topology.nodes().size() + " NUMA nodes: set cores to choose)");
    }

    /** The one node holding all of {@code cpus}, if there is one. */
    private static OptionalInt nodeOf(final CpuSet cpus, final NumaTopology topology)
    {
        for (final Map.Entry<Integer, CpuSet> e : topology.nodes().entrySet())
        {
            if (cpus.isSubsetOf(e.getValue()))
            {
                return OptionalInt.of(e.getKey());
            }
        }
        return OptionalInt.empty();
    }

    @Override
    public String toString()
    {
        return reason;
    }
}
