package io.marchproxy.dataplane.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address as the hot path carries it: a family and 128 bits in two {@code long}s (see the package
 * documentation for the layout). For configuration and tests; the per-packet code passes the three primitives.
 *
 * @param family {@link IpFamily#IPV4} or {@link IpFamily#IPV6}
 * @param hi     bytes 0-7 of an IPv6 address; 0 for IPv4
 * @param lo     bytes 8-15 of an IPv6 address; the IPv4 address in the low 32 bits
 */
public record IpAddress(int family, long hi, long lo)
{
    /**
     * Checks the family and that an IPv4 address has nothing beyond its low 32 bits.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public IpAddress
    {
        if (family == IpFamily.IPV4)
        {
            if (hi != 0 || (lo >>> 32) != 0)
            {
                throw new IllegalArgumentException("an IPv4 address has hi == 0 and lo < 2^32");
            }
        }
        else if (family != IpFamily.IPV6)
        {
            throw new IllegalArgumentException("family must be 4 or 6: " + family);
        }
    }

    /**
     * {@return the IPv4 address whose network-order bytes, read big-endian, are {@code address}}
     *
     * @param address the {@code int} of the network-order bytes
     */
    public static IpAddress ipv4(final int address)
    {
        return new IpAddress(IpFamily.IPV4, 0, address & 0xFFFF_FFFFL);
    }

    /**
     * {@return the IPv6 address with bytes 0-7 {@code hi} and 8-15 {@code lo}}
     *
     * @param hi bytes 0-7
     * @param lo bytes 8-15
     */
    public static IpAddress ipv6(final long hi, final long lo)
    {
        return new IpAddress(IpFamily.IPV6, hi, lo);
    }

    /**
     * {@return the address of a literal such as {@code 10.0.0.1} or {@code 2001:db8::1}; never a name look-up}
     *
     * @param literal an IPv4 or IPv6 literal
     * @throws IllegalArgumentException when it is not one
     */
    public static IpAddress parse(final String literal)
    {
        return of(InetAddress.ofLiteral(literal));
    }

    /**
     * {@return the address of {@code address} (an IPv4-mapped IPv6 literal already comes back from the JDK as IPv4)}
     *
     * @param address a JDK address
     */
    public static IpAddress of(final InetAddress address)
    {
        final byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address)
        {
            return ipv4((int)bytesToLong(bytes, 0, 4));
        }
        return ipv6(bytesToLong(bytes, 0, 8), bytesToLong(bytes, 8, 8));
    }

    /** {@return the IPv4 address as the {@code int} of its network-order bytes; meaningless for IPv6} */
    public int ipv4()
    {
        return (int)lo;
    }

    /** {@return bits of this address: 32 or 128} */
    public int bits()
    {
        return IpFamily.addressBits(family);
    }

    /** {@return the network-order bytes: 4 or 16} */
    public byte[] toBytes()
    {
        if (family == IpFamily.IPV4)
        {
            final byte[] bytes = new byte[4];
            longToBytes(lo, bytes, 0, 4);
            return bytes;
        }
        final byte[] bytes = new byte[16];
        longToBytes(hi, bytes, 0, 8);
        longToBytes(lo, bytes, 8, 8);
        return bytes;
    }

    /** {@return this address as a JDK {@link InetAddress}} */
    public InetAddress toInetAddress()
    {
        try
        {
            return InetAddress.getByAddress(toBytes());
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException("4 or 16 bytes are always an address", ex);
        }
    }

    @Override
    public String toString()
    {
        return toInetAddress().getHostAddress();
    }

    private static long bytesToLong(final byte[] bytes, final int offset, final int length)
    {
        long value = 0;
        for (int i = 0; i < length; i++)
        {
            value = (value << 8) | (bytes[offset + i] & 0xFF);
        }
        return value;
    }

    private static void longToBytes(final long value, final byte[] bytes, final int offset, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            bytes[offset + i] = (byte)(value >>> (8 * (length - 1 - i)));
        }
    }
}
