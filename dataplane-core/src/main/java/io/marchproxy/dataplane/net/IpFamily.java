package io.marchproxy.dataplane.net;

/**
 * The two address families as the hot path passes them: plain {@code int}s equal to the IP version nibble, so that a
 * parser can use the header's version field as is.
 */
public final class IpFamily
{
    /** IPv4: the address sits in the low 32 bits of {@code lo}, {@code hi} is 0. */
    public static final int IPV4 = 4;

    /** IPv6: bytes 0-7 in {@code hi}, bytes 8-15 in {@code lo}, each read big-endian. */
    public static final int IPV6 = 6;

    private IpFamily()
    {
    }

    /**
     * {@return address bits of {@code family}: 32 or 128; 0 for anything else}
     *
     * @param family a family value
     */
    public static int addressBits(final int family)
    {
        return family == IPV4 ? 32 : family == IPV6 ? 128 : 0;
    }

    /**
     * {@return true for {@link #IPV4} and {@link #IPV6}}
     *
     * @param family a family value
     */
    public static boolean isValid(final int family)
    {
        return family == IPV4 || family == IPV6;
    }
}
