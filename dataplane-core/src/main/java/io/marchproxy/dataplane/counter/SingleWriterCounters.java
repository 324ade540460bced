package io.marchproxy.dataplane.counter;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * A fixed set of {@code long} counters with one writer thread and any number of reader threads. The writer reads its
 * own last value plainly and publishes the next with a release store (no read-modify-write instruction: there is no
 * other writer); readers use acquire loads, so a reader that sees a count also sees what the writer did before
 * counting. Counters are usually indexed by an enum's ordinal, which keeps every index in range.
 *
 * <p>Threads: {@link #increment}, {@link #add} and {@link #reset} belong to the owning thread; {@link #get},
 * {@link #sum} and {@link #snapshot} to any thread. Allocation-free and exception-free for indexes below
 * {@link #length()}.
 */
public final class SingleWriterCounters
{
    private static final VarHandle VALUES = MethodHandles.arrayElementVarHandle(long[].class);

    private final String[] labels;
    private final long[] values;

    /**
     * Counters named by {@code labels}, all zero.
     *
     * @param labels one name per counter
     */
    public SingleWriterCounters(final String... labels)
    {
        if (labels.length == 0)
        {
            throw new IllegalArgumentException("at least one counter");
        }
        this.labels = labels.clone();
        this.values = new long[labels.length];
    }

    /**
     * {@return one counter per constant of {@code type}, indexed by {@link Enum#ordinal()} and named by {@link
     * Enum#name()}}
     *
     * @param <E> the enum
     * @param type its class
     */
    public static <E extends Enum<E>> SingleWriterCounters forEnum(final Class<E> type)
    {
        final E[] constants = type.getEnumConstants();
        final String[] labels = new String[constants.length];
        for (int i = 0; i < constants.length; i++)
        {
            labels[i] = constants[i].name();
        }
        return new SingleWriterCounters(labels);
    }

    /**
     * Adds one to counter {@code index}; owning thread only.
     *
     * @param index the counter
     */
    public void increment(final int index)
    {
        // A release fence then a plain store: what setRelease promises (a 64-bit store is single-copy atomic on the
        // 64-bit platforms the dataplane runs on), without the array var handle's adaptation, whose nodes cost the
        // per-packet path's compilation a share of its inlining budget at every counting site. The fence comes before
        // the read as well: the JIT may not reuse across a fence what it read before it, so a fence between the read
        // and the write made it load the array, its length and check the index twice.
        VarHandle.releaseFence();
        final long[] values = this.values;
        values[index] = values[index] + 1;
    }

    /**
     * Adds one to the counter of {@code constant}; owning thread only.
     *
     * @param constant the counter's constant
     */
    public void increment(final Enum<?> constant)
    {
        increment(constant.ordinal());
    }

    /**
     * Adds {@code delta} to counter {@code index}; owning thread only.
     *
     * @param index the counter
     * @param delta what to add
     */
    public void add(final int index, final long delta)
    {
        VarHandle.releaseFence();
        final long[] values = this.values;
        values[index] = values[index] + delta;
    }

    /** Sets every counter to zero; owning thread only. */
    public void reset()
    {
        for (int i = 0; i < values.length; i++)
        {
            VALUES.setRelease(values, i, 0L);
        }
    }

    /**
     * {@return the counter {@code index} as last published; any thread}
     *
     * @param index the counter
     */
    public long get(final int index)
    {
        return (long)VALUES.getAcquire(values, index);
    }

    /**
     * {@return the counter of {@code constant}; any thread}
     *
     * @param constant the counter's constant
     */
    public long get(final Enum<?> constant)
    {
        return get(constant.ordinal());
    }

    /** {@return the sum of all counters; any thread (each read is acquire, the sum is not one atomic snapshot)} */
    public long sum()
    {
        long sum = 0;
        for (int i = 0; i < values.length; i++)
        {
            sum += get(i);
        }
        return sum;
    }

    /** {@return the number of counters} */
    public int length()
    {
        return values.length;
    }

    /**
     * {@return the name of counter {@code index}}
     *
     * @param index the counter
     */
    public String label(final int index)
    {
        return labels[index];
    }

    /** {@return a copy of all counters; any thread (allocates: for reporting, not for the hot path)} */
    public long[] snapshot()
    {
        final long[] copy = new long[values.length];
        for (int i = 0; i < copy.length; i++)
        {
            copy[i] = get(i);
        }
        return copy;
    }

    @Override
    public String toString()
    {
        final StringBuilder out = new StringBuilder("{");
        final long[] copy = snapshot();
        for (int i = 0; i < copy.length; i++)
        {
            if (copy[i] != 0)
            {
                out.append(out.length() > 1 ? ", " : "").append(labels[i]).append('=').append(copy[i]);
            }
        }
        return out.append('}').toString();
    }

    /** {@return the labels, in index order} */
    public String[] labels()
    {
        return Arrays.copyOf(labels, labels.length);
    }
}
