package io.marchproxy.dataplane.cpu;

import java.util.Objects;

/**
 * Where a dataplane worker may run, as configured: {@code auto} (the cores of the NUMA node the interface is attached
 * to), {@code none} (not pinned: wherever the scheduler puts it), or a CPU list such as {@code 1} or {@code 2-3}.
 *
 * @param mode how the CPUs are chosen
 * @param cpus the configured CPUs for {@link Mode#CPUS}, else empty
 */
public record CpuPolicy(Mode mode, CpuSet cpus)
{
    /** How the CPUs are chosen. */
    public enum Mode
    {
        /** The cores of the NUMA node the interface is attached to (or all, when it has none). */
        AUTO,
        /** Not pinned. */
        NONE,
        /** The configured CPUs. */
        CPUS
    }

    /** The cores of the interface's NUMA node. */
    public static final CpuPolicy AUTO = new CpuPolicy(Mode.AUTO, CpuSet.EMPTY);
    /** Not pinned. */
    public static final CpuPolicy NONE = new CpuPolicy(Mode.NONE, CpuSet.EMPTY);

    /**
     * Checks that a CPU list goes with {@link Mode#CPUS} and only with it.
     *
     * @throws IllegalArgumentException when it does not
     */
    public CpuPolicy
    {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(cpus, "cpus");
        if ((mode == Mode.CPUS) == cpus.isEmpty())
        {
            throw new IllegalArgumentException("a CPU list goes with mode CPUS, and only with it");
        }
    }

    /**
     * {@return the policy {@code text} names}
     *
     * @param text {@code auto}, {@code none} or a CPU list ({@code 1}, {@code 2-3,6})
     * @throws IllegalArgumentException saying what it takes
     */
    public static CpuPolicy parse(final String text)
    {
        final String t = text.strip();
        return switch (t)
        {
            case "auto" -> AUTO;
            case "none" -> NONE;
            default ->
            {
                final CpuSet cpus = CpuSet.parse(t);
                if (cpus.isEmpty())
                {
                    throw new IllegalArgumentException("cores: give auto, none or a CPU list such as 1 or 2-3");
                }
                yield new CpuPolicy(Mode.CPUS, cpus);
            }
        };
    }

    /**
     * {@return pinned to {@code cpus}}
     *
     * @param cpus the CPUs, not empty
     */
    public static CpuPolicy of(final CpuSet cpus)
    {
        return new CpuPolicy(Mode.CPUS, cpus);
    }

    @Override
    public String toString()
    {
        return mode == Mode.CPUS ? cpus.toString() : mode.name().toLowerCase();
    }
}
