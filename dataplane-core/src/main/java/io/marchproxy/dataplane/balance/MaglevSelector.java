package io.marchproxy.dataplane.balance;

import io.marchproxy.dataplane.net.TupleHash;

import java.util.Arrays;
import java.util.List;

/**
 * Consistent hashing with a Maglev lookup table (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
 * Balancer", NSDI 2016). Each backend gets a permutation of the table's slots from its identity hash ({@code offset =
 * h1 mod M}, {@code skip = h2 mod (M - 1) + 1}, M prime so every skip walks all slots); backends take turns claiming
 * their next free slot until the table is full. Weights follow Katran's MaglevHashV2: a backend adds its weight to a
 * running sum each round and claims a slot whenever the sum reaches the largest weight, so slot shares follow the
 * weights. A flow's backend is {@code table[hash -> slot]}: the same for every packet and every node with the same
 * backends, and when one backend of N comes or goes only about 1/N of the slots change owner.
 *
 * <p>Health changes rebuild the table in place without allocating (O(M) work, for the one dataplane thread; in an XDP
 * design the rebuilt table is what gets copied into the BPF array, see {@link #slot(int)}). {@link #select} is one
 * multiply and one array read.
 */
public final class MaglevSelector extends PooledSelector
{
    /** The table size of Katran and the Maglev paper's smaller example: a prime well above 100 x backends. */
    public static final int DEFAULT_TABLE_SIZE = 65_537;

    private static final long OFFSET_SEED = 0x2545_F491_4F6C_DD1DL;
    private static final long SKIP_SEED = 0x9E37_79B9_7F4A_7C15L;

    private final int tableSize;
    private final int[] table;
    private final int[] offset;
    private final int[] skip;
    private final int[] position;
    private final long[] turn;

    /**
     * A selector with a table of {@link #DEFAULT_TABLE_SIZE} slots.
     *
     * @param backends the service's backends
     */
    public MaglevSelector(final List<Backend> backends)
    {
        this(backends, DEFAULT_TABLE_SIZE);
    }

    /**
     * A selector with a table of {@code tableSize} slots, a prime larger than the number of backends.
     *
     * @param backends the service's backends
     * @param tableSize the table's size, prime
     */
    public MaglevSelector(final List<Backend> backends, final int tableSize)
    {
        super(backends);
        if (!isPrime(tableSize) || tableSize <= pool.size())
        {
            throw new IllegalArgumentException("the table size must be a prime above the backend count: " + tableSize);
        }
        this.tableSize = tableSize;
        this.table = new int[tableSize];
        final int n = pool.size();
        this.offset = new int[n];
        this.skip = new int[n];
        this.position = new int[n];
        this.turn = new long[n];
        for (int i = 0; i < n; i++)
        {
            final long identity = pool.backends.get(i).identityHash();
            offset[i] = (int)Long.remainderUnsigned(TupleHash.mix(identity ^ OFFSET_SEED), tableSize);
            skip[i] = (int)Long.remainderUnsigned(TupleHash.mix(identity ^ SKIP_SEED), tableSize - 1) + 1;
        }
        populate();
    }

    @Override
    public int select(final long flowHash)
    {
        return table[slotOf(flowHash)];
    }

    /** {@return slots of the table} */
    public int tableSize()
    {
        return tableSize;
    }

    /**
     * {@return the backend owning slot {@code slot}, or {@link #NO_BACKEND} when no backend is eligible}
     *
     * @param slot a slot of the table
     */
    public int slot(final int slot)
    {
        return table[slot];
    }

    /**
     * {@return the slot a flow hash maps to: the high 32 bits scaled to the table (Lemire's multiply-shift range
     * reduction)}
     *
     * @param flowHash a flow's hash
     */
    public int slotOf(final long flowHash)
    {
        return (int)(((flowHash >>> 32) * tableSize) >>> 32);
    }

    @Override
    void eligibilityChanged()
    {
        populate();
    }

    private void populate()
    {
        Arrays.fill(table, NO_BACKEND);
        final int n = pool.size();
        int maxWeight = 0;
        for (int i = 0; i < n; i++)
        {
            if (pool.eligible(i))
            {
                maxWeight = Math.max(maxWeight, pool.weights[i]);
            }
            position[i] = offset[i];
            turn[i] = 0;
        }
        if (maxWeight == 0)
        {
            return;
        }
        int filled = 0;
        while (true)
        {
            for (int i = 0; i < n; i++)
            {
                if (!pool.eligible(i))
                {
                    continue;
                }
                turn[i] += pool.weights[i];
                if (turn[i] < maxWeight)
                {
                    continue;
                }
                turn[i] -= maxWeight;
                int at = position[i];
                while (table[at] != NO_BACKEND)
                {
                    at = advance(at, skip[i]);
                }
                table[at] = i;
                position[i] = advance(at, skip[i]);
                if (++filled == tableSize)
                {
                    return;
                }
            }
        }
    }

    private int advance(final int at, final int step)
    {
        final int next = at + step;
        return next >= tableSize ? next - tableSize : next;
    }

    private static boolean isPrime(final int value)
    {
        if (value < 2)
        {
            return false;
        }
        for (int d = 2; (long)d * d <= value; d++)
        {
            if (value % d == 0)
            {
                return false;
            }
        }
        return true;
    }
}
