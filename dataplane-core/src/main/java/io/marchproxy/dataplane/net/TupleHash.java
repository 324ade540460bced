package io.marchproxy.dataplane.net;

/**
 * The hash every primitive table of the L4 proxy uses: a 64-bit finalizer (the one of MurmurHash3 / SplitMix64)
 * over words combined with distinct odd multipliers. Deterministic across runs and JVMs (never
 * {@code Object.hashCode}), so that two nodes, or a restarted node, pick the same Maglev backend for a flow.
 * Allocation-free.
 */
public final class TupleHash
{
    private static final long M1 = 0x9E37_79B9_7F4A_7C15L;
    private static final long M2 = 0xC2B2_AE3D_27D4_EB4FL;
    private static final long M3 = 0x1656_67B1_9E37_79F9L;
    private static final long M4 = 0x27D4_EB2F_1656_67C5L;
    private static final long M5 = 0x9FB2_1C65_1E98_DF25L;

    private TupleHash()
    {
    }

    /**
     * {@return the MurmurHash3 64-bit finalizer: every input bit affects every output bit}
     *
     * @param value a word
     */
    public static long mix(final long value)
    {
        long h = value;
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        h *= 0xC4CE_B9FE_1A85_EC53L;
        h ^= h >>> 33;
        return h;
    }

    /**
     * {@return a hash of three words}
     *
     * @param a the first word
     * @param b the second
     * @param c the third
     */
    public static long hash(final long a, final long b, final long c)
    {
        return mix(a * M1 + Long.rotateLeft(b * M2, 31) + Long.rotateLeft(c * M3, 17));
    }

    /**
     * A hash of five words (a 5-tuple: two addresses as two words each and a word of protocol and ports): the products
     * are independent, so they overlap in the pipeline, and one finalizer follows.
     *
     * @param a the first word
     * @param b the second
     * @param c the third
     * @param d the fourth
     * @param e the fifth
     * @return the hash
     */
    public static long hash(final long a, final long b, final long c, final long d, final long e)
    {
        return mix(a * M1 + Long.rotateLeft(b * M2, 31) + Long.rotateLeft(c * M3, 17) + Long.rotateLeft(d * M4, 47)
            + e * M5);
    }
}
