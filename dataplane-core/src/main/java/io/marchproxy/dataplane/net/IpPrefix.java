package io.marchproxy.dataplane.net;

/**
 * A CIDR prefix such as {@code 10.0.0.0/8} or {@code 2001:db8::/32}; a single address is a /32 or /128. The address
 * is stored masked to the length, so two prefixes covering the same addresses are equal.
 *
 * @param family {@link IpFamily#IPV4} or {@link IpFamily#IPV6}
 * @param hi     the masked address, bytes 0-7 (0 for IPv4)
 * @param lo     the masked address, bytes 8-15 or the IPv4 address
 * @param length prefix bits, 0..32 or 0..128
 */
public record IpPrefix(int family, long hi, long lo, int length)
{
    /**
     * Checks the address and length, and that no bit beyond the length is set.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public IpPrefix
    {
        new IpAddress(family, hi, lo);
        if (length < 0 || length > IpFamily.addressBits(family))
        {
            throw new IllegalArgumentException("prefix length out of range for IPv" + family + ": " + length);
        }
        hi &= maskHi(family, length);
        lo &= maskLo(family, length);
    }

    /**
     * {@return the prefix of the first {@code length} bits of {@code address}}
     *
     * @param address an address
     * @param length prefix bits
     */
    public static IpPrefix of(final IpAddress address, final int length)
    {
        return new IpPrefix(address.family(), address.hi(), address.lo(), length);
    }

    /**
     * {@return a prefix in CIDR notation; an address without {@code /n} is a single address (/32 or /128)}
     *
     * @param cidr {@code 10.0.0.0/8}, {@code 2001:db8::/32}, or an address
     * @throws IllegalArgumentException when it is not one
     */
    public static IpPrefix parse(final String cidr)
    {
        final int slash = cidr.indexOf('/');
        final IpAddress address = IpAddress.parse(slash < 0 ? cidr : cidr.substring(0, slash));
        final int length = slash < 0 ? address.bits() : Integer.parseInt(cidr.substring(slash + 1));
        return of(address, length);
    }

    /**
     * {@return the mask of {@code length} bits for {@code hi} (0 for IPv4)} Allocation-free.
     *
     * @param family the family
     * @param length prefix bits
     */
    public static long maskHi(final int family, final int length)
    {
        if (family != IpFamily.IPV6 || length <= 0)
        {
            return 0L;
        }
        return length >= 64 ? -1L : -1L << (64 - length);
    }

    /**
     * {@return the mask of {@code length} bits for {@code lo}} Allocation-free.
     *
     * @param family the family
     * @param length prefix bits
     */
    public static long maskLo(final int family, final int length)
    {
        if (family == IpFamily.IPV4)
        {
            return length <= 0 ? 0L : (0xFFFF_FFFFL << (32 - length)) & 0xFFFF_FFFFL;
        }
        return length <= 64 ? 0L : length >= 128 ? -1L : -1L << (128 - length);
    }

    /**
     * {@return true when the address {@code (family, hi, lo)} lies in this prefix} Allocation-free.
     *
     * @param family the address' family
     * @param hi its high 64 bits (IPv4: 0)
     * @param lo its low 64 bits
     */
    public boolean contains(final int family, final long hi, final long lo)
    {
        return family == this.family
            && (hi & maskHi(family, length)) == this.hi
            && (lo & maskLo(family, length)) == this.lo;
    }

    /**
     * {@return true when {@code address} lies in this prefix}
     *
     * @param address an address
     */
    public boolean contains(final IpAddress address)
    {
        return contains(address.family(), address.hi(), address.lo());
    }

    /**
     * {@return true when every address of {@code other} lies in this prefix (it is equal or longer and starts with
     * this)}
     *
     * @param other another prefix
     */
    public boolean contains(final IpPrefix other)
    {
        return other.length >= length && contains(other.family, other.hi, other.lo);
    }

    /** {@return the first address of the prefix} */
    public IpAddress address()
    {
        return new IpAddress(family, hi, lo);
    }

    @Override
    public String toString()
    {
        return address() + "/" + length;
    }
}
