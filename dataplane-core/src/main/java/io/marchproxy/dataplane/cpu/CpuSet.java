package io.marchproxy.dataplane.cpu;

import io.marchproxy.ffm.libc.Sched;

import java.lang.foreign.MemorySegment;
import java.util.BitSet;

/**
 * An immutable set of CPU numbers below {@link Sched#CPU_SETSIZE}, written and parsed in the kernel's list format
 * ({@code 0-3,8,10-11}: what {@code /sys/devices/system/node/node0/cpulist} and {@code Cpus_allowed_list} in
 * {@code /proc/<pid>/status} show, and what {@code taskset -c} takes).
 */
public final class CpuSet
{
    /** No CPU. */
    public static final CpuSet EMPTY = new CpuSet(new BitSet());

    private final BitSet cpus;

    private CpuSet(final BitSet cpus)
    {
        this.cpus = cpus;
    }

    /**
     * {@return the CPUs of {@code list} ({@code "0-3,8"})} Surrounding blanks and a trailing newline are ignored.
     *
     * @param list the kernel's list format
     * @throws IllegalArgumentException when it is not a CPU list
     */
    public static CpuSet parse(final String list)
    {
        final String text = list.strip();
        final BitSet cpus = new BitSet();
        if (text.isEmpty())
        {
            return EMPTY;
        }
        for (final String part : text.split(","))
        {
            final String item = part.strip();
            final int dash = item.indexOf('-');
            try
            {
                final int first = Integer.parseInt(dash < 0 ? item : item.substring(0, dash).strip());
                final int last = dash < 0 ? first : Integer.parseInt(item.substring(dash + 1).strip());
                if (first < 0 || last >= Sched.CPU_SETSIZE || first > last)
                {
                    throw new IllegalArgumentException("CPU range " + item + " outside 0.." + (Sched.CPU_SETSIZE - 1)
                        + " or descending");
                }
                cpus.set(first, last + 1);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("a CPU list is numbers and ranges such as 0-3,8, not '" + list
                    + "'");
            }
        }
        return new CpuSet(cpus);
    }

    /**
     * {@return the given CPUs}
     *
     * @param cpus CPU numbers below {@link Sched#CPU_SETSIZE}
     */
    public static CpuSet of(final int... cpus)
    {
        final BitSet set = new BitSet();
        for (final int cpu : cpus)
        {
            if (cpu < 0 || cpu >= Sched.CPU_SETSIZE)
            {
                throw new IllegalArgumentException("CPU " + cpu + " outside 0.." + (Sched.CPU_SETSIZE - 1));
            }
            set.set(cpu);
        }
        return new CpuSet(set);
    }

    /**
     * {@return the CPUs set in a {@code cpu_set_t}}
     *
     * @param mask a {@link Sched#cpu_set_t} segment
     */
    public static CpuSet read(final MemorySegment mask)
    {
        final BitSet set = new BitSet();
        for (int cpu = 0; cpu < Sched.CPU_SETSIZE; cpu++)
        {
            if (Sched.cpuIsSet(mask, cpu))
            {
                set.set(cpu);
            }
        }
        return new CpuSet(set);
    }

    /**
     * Writes this set into a zeroed {@code cpu_set_t}.
     *
     * @param mask a zeroed {@link Sched#cpu_set_t} segment
     */
    public void write(final MemorySegment mask)
    {
        for (int cpu = cpus.nextSetBit(0); cpu >= 0; cpu = cpus.nextSetBit(cpu + 1))
        {
            Sched.cpuSet(mask, cpu);
        }
    }

    /**
     * {@return whether {@code cpu} is in this set}
     *
     * @param cpu a CPU number
     */
    public boolean contains(final int cpu)
    {
        return cpu >= 0 && cpus.get(cpu);
    }

    /**
     * {@return true when every CPU of this set is in {@code other}}
     *
     * @param other another set
     */
    public boolean isSubsetOf(final CpuSet other)
    {
        final BitSet rest = (BitSet)cpus.clone();
        rest.andNot(other.cpus);
        return rest.isEmpty();
    }

    /**
     * {@return the CPUs in both sets}
     *
     * @param other another set
     */
    public CpuSet intersect(final CpuSet other)
    {
        final BitSet both = (BitSet)cpus.clone();
        both.and(other.cpus);
        return new CpuSet(both);
    }

    /** {@return whether the set holds no CPU} */
    public boolean isEmpty()
    {
        return cpus.isEmpty();
    }

    /** {@return how many CPUs the set holds} */
    public int size()
    {
        return cpus.cardinality();
    }

    /** {@return the CPUs in ascending order} */
    public int[] toArray()
    {
        return cpus.stream().toArray();
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof CpuSet other && cpus.equals(other.cpus);
    }

    @Override
    public int hashCode()
    {
        return cpus.hashCode();
    }

    /** {@return the kernel's list format, e.g. {@code 0-3,8}; empty for no CPU} */
    @Override
    public String toString()
    {
        final StringBuilder out = new StringBuilder();
        int cpu = cpus.nextSetBit(0);
        while (cpu >= 0)
        {
            final int last = cpus.nextClearBit(cpu) - 1;
            out.append(out.isEmpty() ? "" : ",").append(cpu);
            if (last > cpu)
            {
                out.append('-').append(last);
            }
            cpu = cpus.nextSetBit(last + 1);
        }
        return out.toString();
    }
}
